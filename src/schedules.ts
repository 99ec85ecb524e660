/**
 * Recurring schedules stored in the queue. A tick becomes exactly one job (its id is
 * `<queue>@<schedule id>@<tick time>`), materialised by whichever claim sees it due first — so a
 * one-minute platform cron or the Node loop is enough, with no scheduler process.
 */
import type { Backend, QueueScope, ScheduleRecord, ScheduleSpec } from "./backend.js";
import { ValidationError } from "./errors.js";
import type { CronEngine } from "./internal/cron-engine.js";
import { type EnqueueDefaults, toNewJobs } from "./internal/enqueue-input.js";
import { requireFeature } from "./internal/features.js";
import type { JobSchemas } from "./internal/job-schemas.js";
import type { BackoffOptions } from "./job.js";
import type { JobDefinitions, JobTypeName, PayloadInput } from "./job-types.js";

/** The options of the jobs a schedule creates. */
export interface ScheduledJobOptions {
  priority?: number | undefined;
  maxAttempts?: number | undefined;
  backoff?: BackoffOptions | undefined;
  concurrencyKey?: string | null | undefined;
}

/** What `queue.schedule(id, …)` takes. */
export interface ScheduleOptions<T extends string = string, P = unknown> {
  /** Cron expression (5 or 6 fields, seconds first when 6; or `@hourly`, `@daily` …). */
  cron: string;
  /** IANA time zone the expression is read in, e.g. `Europe/Berlin`. Default UTC. */
  timezone?: string | undefined;
  type: T;
  payload?: P | undefined;
  options?: ScheduledJobOptions | undefined;
  /**
   * After downtime: `latest` (default) runs only the latest missed tick; `all` runs each
   * missed tick, up to the latest 100.
   */
  catchUp?: "latest" | "all" | undefined;
}

/** `ScheduleOptions` typed by the queue's job definitions. */
export type ScheduleOptionsOf<J extends JobDefinitions> = {
  [T in JobTypeName<J>]: ScheduleOptions<T, PayloadInput<J[T]>>;
}[JobTypeName<J>];

/** A stored schedule, as `queue.schedules()` returns it. */
export interface Schedule {
  id: string;
  cron: string;
  timezone: string | null;
  type: string;
  payload: unknown;
  options: { priority: number; maxAttempts: number; concurrencyKey: string | null };
  catchUp: "latest" | "all";
  /** When the next tick is due (epoch ms), or null until the next claim works it out. */
  nextRunAt: number | null;
  /** The latest tick that became a job (epoch ms), or null. */
  lastRunAt: number | null;
  createdAt: number;
  updatedAt: number;
}

const ID = /^[\w.:-]{1,100}$/;
/** `.` and `..` are path segments a URL normalises away: such an id could not be addressed. */
const DOTS_ONLY = /^\.+$/;

/** Checks a schedule id: 1-100 characters of `[A-Za-z0-9_.:-]`, not dots alone. */
export function assertScheduleId(id: unknown): string {
  if (typeof id !== "string" || !ID.test(id) || DOTS_ONLY.test(id)) {
    throw new ValidationError(
      "schedule id must be 1-100 characters of [A-Za-z0-9_.:-], not dots alone",
      "id",
    );
  }
  return id;
}

/**
 * Validates a schedule like an enqueue (type, payload schema, options) and encodes it, with
 * its first ticks by `cron`.
 */
export async function toScheduleSpec(
  id: string,
  options: ScheduleOptions,
  schemas: JobSchemas,
  defaults: EnqueueDefaults,
  now: number,
  cron: CronEngine,
): Promise<{ spec: ScheduleSpec; upcoming: number[] }> {
  assertScheduleId(id);
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("schedule options must be an object", "options");
  }
  const timezone = options.timezone ?? null;
  if (timezone !== null && (typeof timezone !== "string" || timezone.length > 100)) {
    throw new ValidationError("timezone must be an IANA time zone name", "timezone");
  }
  const catchUp = options.catchUp ?? "latest";
  if (catchUp !== "latest" && catchUp !== "all") {
    throw new ValidationError('catchUp must be "latest" or "all"', "catchUp");
  }
  const upcoming = cron.upcoming(options.cron, timezone, now);
  const { priority, maxAttempts, backoff, concurrencyKey } = options.options ?? {};
  const jobOptions = { priority, maxAttempts, backoff, concurrencyKey };
  const [job] = await toNewJobs(
    [{ type: options.type, payload: options.payload, options: jobOptions }],
    schemas,
    defaults,
    now,
  );
  if (!job) throw new ValidationError("schedule has no job", "type");
  const spec: ScheduleSpec = {
    id,
    cron: options.cron,
    timezone,
    type: job.type,
    payload: job.payload,
    priority: job.priority,
    maxAttempts: job.maxAttempts,
    backoff: job.backoff,
    concurrencyKey: job.concurrencyKey,
    catchUp,
  };
  return { spec, upcoming };
}

/** A stored record as callers see it. */
export function toSchedule(record: ScheduleRecord): Schedule {
  return {
    id: record.id,
    cron: record.cron,
    timezone: record.timezone,
    type: record.type,
    payload: JSON.parse(record.payload),
    options: {
      priority: record.priority,
      maxAttempts: record.maxAttempts,
      concurrencyKey: record.concurrencyKey,
    },
    catchUp: record.catchUp,
    nextRunAt: record.upcoming[0] ?? null,
    lastRunAt: record.lastTickAt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

/**
 * Tops up (or catches up) the schedules a claim returned, each on its own: one that fails
 * (its stored cron no longer parses, or the store call fails) holds up no other, and its
 * error is returned. A refill that lost a race to another process's (the version moved on)
 * is simply dropped: the winner did the same work.
 */
export async function refillSchedules(
  backend: Backend,
  scope: QueueScope,
  records: readonly ScheduleRecord[],
  cron: CronEngine,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const record of records) {
    try {
      const plan = cron.planRefill(record, scope.now);
      await requireFeature(backend, "schedules").refillSchedule({
        ...scope,
        id: record.id,
        version: record.version,
        ...plan,
      });
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}
