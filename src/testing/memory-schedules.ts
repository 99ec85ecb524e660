/**
 * The oracle's schedules (feature `schedules`): the rules on `ScheduleRecord`,
 * `PutScheduleInput` and `RefillScheduleInput` (backend.ts) as plain code.
 */
import {
  type PutScheduleInput,
  type RefillScheduleInput,
  SCHEDULE_REFILL_BELOW,
  SCHEDULES_PER_CLAIM,
  type ScheduleRecord,
  type ScheduleSpec,
  scheduledJobId,
} from "../backend.js";
import { insertJob, type MemoryQueue, type StoredSchedule } from "./memory-store.js";

/** The spec fields a `putSchedule` replaces (the version moves on when one changes). */
const SPEC_FIELDS = [
  "cron",
  "timezone",
  "type",
  "payload",
  "priority",
  "maxAttempts",
  "backoff",
  "concurrencyKey",
  "catchUp",
] as const satisfies ReadonlyArray<keyof ScheduleSpec>;

/** A copy of a schedule's record, safe to hand out. */
export function scheduleOf(schedule: StoredSchedule): ScheduleRecord {
  return { ...schedule.record, upcoming: [...schedule.record.upcoming] };
}

/**
 * Creates or replaces a schedule: `lastTickAt` and `createdAt` are kept, and so are the
 * upcoming ticks while `cron` and `timezone` stay the same. The version (and `updatedAt`)
 * moves on only when a field changed, so a re-sent call changes nothing more.
 */
export function putSchedule(q: MemoryQueue, input: PutScheduleInput): ScheduleRecord {
  const { schedule: spec, now } = input;
  const existing = q.schedules.get(spec.id);
  if (existing === undefined) {
    const created: StoredSchedule = {
      record: {
        ...spec,
        upcoming: [...input.upcoming],
        lastTickAt: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      },
      created: q.nextScheduleNumber++,
      firedAt: null,
    };
    q.schedules.set(spec.id, created);
    return scheduleOf(created);
  }
  const old = existing.record;
  const sameTimes = old.cron === spec.cron && old.timezone === spec.timezone;
  const changed = SPEC_FIELDS.some((field) => old[field] !== spec[field]);
  existing.record = {
    ...old,
    ...spec,
    upcoming: sameTimes ? old.upcoming : [...input.upcoming],
    version: old.version + (changed ? 1 : 0),
    updatedAt: changed ? now : old.updatedAt,
  };
  return scheduleOf(existing);
}

/** Fires `fire` and stores the new ticks, while the schedule still has the caller's version. */
export function refillSchedule(q: MemoryQueue, input: RefillScheduleInput): boolean {
  const schedule = q.schedules.get(input.id);
  if (schedule === undefined || schedule.record.version !== input.version) return false;
  fireTicks(q, schedule, input.fire, input.now);
  schedule.record = {
    ...schedule.record,
    upcoming: [...input.upcoming],
    lastTickAt: input.lastTickAt,
    version: schedule.record.version + 1,
    updatedAt: input.now,
  };
  return true;
}

/**
 * Claim rule 0, second half: up to {@link SCHEDULES_PER_CLAIM} due schedules (first upcoming
 * tick <= now, earliest first) are materialised, in the order they were created (as libSQL
 * does). With `d` the due ticks and `r` the rest: nothing happens when `r` is empty; else the
 * last of `d` (every one with `catchUp: "all"`) is fired and `r` kept.
 */
export function materialiseDue(q: MemoryQueue, now: number): void {
  const due = [...q.schedules.values()]
    .filter((schedule) => isDue(schedule, now))
    .sort((a, b) => firstTick(a) - firstTick(b) || a.created - b.created)
    .slice(0, SCHEDULES_PER_CLAIM)
    .sort((a, b) => a.created - b.created);
  for (const schedule of due) {
    const ticks = schedule.record.upcoming;
    const fired = ticks.filter((tick) => tick <= now);
    const rest = ticks.filter((tick) => tick > now);
    const last = fired.at(-1);
    if (rest.length === 0 || last === undefined) continue;
    fireTicks(q, schedule, schedule.record.catchUp === "all" ? fired : [last], now);
    schedule.record = {
      ...schedule.record,
      upcoming: rest,
      lastTickAt: last,
      version: schedule.record.version + 1,
      updatedAt: now,
    };
    schedule.firedAt = now;
  }
}

/**
 * `ClaimOutcome.refill`, after the materialisation at `now`: the schedules still due (their
 * list ran out) and those a claim fired at this very `now` (so a re-sent claim answers the
 * same), with fewer than {@link SCHEDULE_REFILL_BELOW} ticks ahead, by id.
 */
export function schedulesToRefill(q: MemoryQueue, now: number): ScheduleRecord[] {
  return [...q.schedules.values()]
    .filter((schedule) => isDue(schedule, now) || schedule.firedAt === now)
    .filter((schedule) => ticksAhead(schedule, now) < SCHEDULE_REFILL_BELOW)
    .map(scheduleOf)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Every schedule of the queue, by id. */
export function listSchedules(q: MemoryQueue): ScheduleRecord[] {
  return [...q.schedules.keys()]
    .sort()
    .map((id) => scheduleOf(q.schedules.get(id) as StoredSchedule));
}

/** One job per tick (id `scheduledJobId`, `runAt` the tick), unless a job with that id exists. */
function fireTicks(q: MemoryQueue, schedule: StoredSchedule, ticks: number[], now: number): void {
  const s = schedule.record;
  for (const tick of ticks) {
    const id = scheduledJobId(q.name, s.id, tick);
    if (q.jobs.has(id)) continue;
    insertJob(q, now, {
      id,
      type: s.type,
      payload: s.payload,
      priority: s.priority,
      runAt: tick,
      maxAttempts: s.maxAttempts,
      backoff: s.backoff,
      idempotencyKey: null,
      concurrencyKey: s.concurrencyKey,
    });
  }
}

function firstTick(schedule: StoredSchedule): number {
  return schedule.record.upcoming[0] ?? Number.POSITIVE_INFINITY;
}

function isDue(schedule: StoredSchedule, now: number): boolean {
  return firstTick(schedule) <= now;
}

function ticksAhead(schedule: StoredSchedule, now: number): number {
  return schedule.record.upcoming.filter((tick) => tick > now).length;
}
