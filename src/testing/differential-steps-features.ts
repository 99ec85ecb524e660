/**
 * Steps of the optional groups: queue settings and key overrides (`limits`), schedules and
 * their refills (`schedules`), completions with the next claim (`groupedCompletion`).
 */
import type { QueueLimits, RateLimit, ScheduleSpec } from "../backend.js";
import { WINDOW_SIZES } from "./differential-configs.js";
import { type DifferentialModel, RETENTION_MS } from "./differential-model.js";
import { claimFields, group, type Step, step } from "./differential-steps.js";

function rate(m: DifferentialModel): RateLimit {
  return { limit: m.random.int(1, 4), windowMs: m.random.pick(WINDOW_SIZES) };
}

/** A whole settings record: key concurrency, and with rate windows key and type rates. */
export function setQueueLimitsStep(m: DifferentialModel): Step {
  const r = m.random;
  const windows = m.config.rateWindows;
  const limits: QueueLimits = {
    keyConcurrency: r.pick([null, 1, 2, 3]),
    keyRateLimit: windows && r.chance(0.5) ? rate(m) : null,
    typeRateLimits: windows
      ? m.config.types.filter(() => r.chance(0.4)).map((type) => ({ type, ...rate(m) }))
      : [],
  };
  const input = { ...m.scope(), limits, ...(r.chance(0.2) ? { onlyIfAbsent: true } : {}) };
  return step({
    name: "setQueueLimits",
    input,
    mutates: true,
    call: (b) => group(b, "limits").setQueueLimits(input),
  });
}

/** A key's overrides: each setting left as it is, removed, or set. */
export function setKeyLimitsStep(m: DifferentialModel): Step {
  const r = m.random;
  const concurrency = r.weighted<number | null | undefined>([
    [1, undefined],
    [1, null],
    [3, r.int(1, 4)],
  ]);
  const rateLimit = m.config.rateWindows
    ? r.weighted<RateLimit | null | undefined>([
        [1, undefined],
        [1, null],
        [2, rate(m)],
      ])
    : undefined;
  const input = { ...m.scope(), key: m.key(), concurrency, rateLimit };
  return step({
    name: "setKeyLimits",
    input,
    mutates: true,
    call: (b) => group(b, "limits").setKeyLimits(input),
  });
}

/** Reads the queue's settings and one key's overrides. */
export function readLimitsStep(m: DifferentialModel): Step {
  const input = { ...m.scope(), key: m.key() };
  return step({
    name: "getQueueLimits+getKeyLimits",
    input,
    mutates: false,
    call: async (b) => ({
      queue: await group(b, "limits").getQueueLimits(input),
      key: await group(b, "limits").getKeyLimits(input),
    }),
  });
}

/** The first `count` ticks of a period after `after`. */
function ticksAfter(after: number, periodMs: number, count: number): number[] {
  const first = Math.floor(after / periodMs) * periodMs + periodMs;
  return Array.from({ length: count }, (_, i) => first + i * periodMs);
}

/** Saves one of four schedules; its cron names its period (the store never reads it). */
export function putScheduleStep(m: DifferentialModel): Step {
  const r = m.random;
  const periodMs = r.pick([15_000, 60_000, 300_000]);
  const id = `s${r.int(0, 3)}`;
  const schedule: ScheduleSpec = {
    id,
    cron: `@every ${periodMs}ms`,
    timezone: r.chance(0.1) ? "UTC" : null,
    type: r.pick(m.config.types),
    payload: JSON.stringify({ s: id, v: r.int(0, 2) }),
    priority: r.int(0, m.config.priorities - 1),
    maxAttempts: r.int(1, 3),
    backoff: null,
    concurrencyKey: m.config.keys > 0 && r.chance(0.5) ? m.key() : null,
    catchUp: r.pick(["latest", "all"] as const),
  };
  const input = { ...m.scope(), schedule, upcoming: ticksAfter(m.now, periodMs, r.pick([2, 5])) };
  return step({
    name: "putSchedule",
    input,
    mutates: true,
    call: (b) => group(b, "schedules").putSchedule(input),
    observe: () => m.periods.set(id, periodMs),
  });
}

/** Deletes one of the four schedules (maybe one that does not exist). */
export function deleteScheduleStep(m: DifferentialModel): Step {
  const input = { ...m.scope(), id: `s${m.random.int(0, 3)}` };
  return step({
    name: "deleteSchedule",
    input,
    mutates: true,
    call: (b) => group(b, "schedules").deleteSchedule(input),
  });
}

/** Lists the queue's schedules. */
export function listSchedulesStep(m: DifferentialModel): Step {
  const input = m.scope();
  return step({
    name: "listSchedules",
    input,
    mutates: false,
    call: (b) => group(b, "schedules").listSchedules(input),
  });
}

/**
 * Refills a schedule the last claim returned, as the core would: the ticks missed since its
 * last one (the latest, or each with `catchUp: "all"`, at most 20), five ticks ahead; now and
 * then with a version that has moved on.
 */
export function refillScheduleStep(m: DifferentialModel): Step | null {
  const record = m.refills.shift();
  if (!record) return null;
  const periodMs = m.periods.get(record.id) ?? 60_000;
  const since = record.lastTickAt ?? record.createdAt;
  const missed = ticksAfter(since, periodMs, 1_000)
    .filter((tick) => tick <= m.now)
    .slice(-20);
  const input = {
    ...m.scope(),
    id: record.id,
    version: record.version + (m.random.chance(0.15) ? 1 : 0),
    fire: record.catchUp === "all" ? missed : missed.slice(-1),
    upcoming: ticksAfter(m.now, periodMs, 5),
    lastTickAt: missed.at(-1) ?? record.lastTickAt,
  };
  return step({
    name: "refillSchedule",
    input,
    mutates: true,
    call: (b) => group(b, "schedules").refillSchedule(input),
  });
}

/** Completes a held job (or tries, with a stale token) and claims the next ones. */
export function completeAndClaimStep(m: DifferentialModel): Step | null {
  const held = m.heldJob();
  if (!held) return null;
  const next = claimFields(m);
  const input = {
    ...m.scope(),
    id: held.id,
    token: held.token,
    result: `"r${m.serial()}"`,
    expiresAt: m.now + RETENTION_MS,
    next,
  };
  return step({
    name: "completeAndClaim",
    input,
    mutates: true,
    call: async (b) => {
      const outcome = await group(b, "groupedCompletion").completeAndClaim(input);
      return { ids: outcome.claimed.map((job) => job.id), ...outcome };
    },
    observe: (outcome) => {
      m.settle(held, outcome.completed, true);
      m.seeClaim(outcome.claimed, next.token, next.leaseUntil);
      m.refills = outcome.refill;
    },
  });
}

/** One to three held jobs' completions, each with its next claim, as one group. */
export function completeAndClaimManyStep(m: DifferentialModel): Step | null {
  const members = m.heldJobs(m.random.int(1, 3));
  if (members.length === 0) return null;
  const items = members.map(({ id, token }) => ({
    id,
    token,
    result: `"r${m.serial()}"`,
    expiresAt: m.now + RETENTION_MS,
    next: claimFields(m),
  }));
  const input = { ...m.scope(), items };
  return step({
    name: "completeAndClaimMany",
    input,
    mutates: true,
    call: async (b) => {
      const outcomes = await group(b, "groupedCompletion").completeAndClaimMany(input);
      return outcomes.map((o) => ({ ids: o.claimed.map((job) => job.id), ...o }));
    },
    observe: (outcomes) =>
      outcomes.forEach((outcome, i) => {
        const member = members[i];
        const item = items[i];
        if (member) m.settle(member, outcome.completed, true);
        if (item) m.seeClaim(outcome.claimed, item.next.token, item.next.leaseUntil);
        if (i === 0) m.refills = outcome.refill;
      }),
  });
}
