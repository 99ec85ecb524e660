import type { Backend, QueueLimits, RateLimit } from "./backend.js";
import { ValidationError } from "./errors.js";
import { DEFAULT_BACKOFF, resolveBackoff } from "./internal/backoff.js";
import { type Clock, systemClock } from "./internal/clock.js";
import type { CronEngine } from "./internal/cron-engine.js";
import type { EnqueueDefaults } from "./internal/enqueue-input.js";
import { type QueueLimitOptions, toQueueLimits } from "./internal/limit-settings.js";
import type { EnqueueOptions, JobState } from "./job.js";
import type { JobDefinitions, JobTypeName, PayloadInput } from "./job-types.js";

/** How long finished jobs (and their event logs) are kept, per final state. */
export interface RetentionOptions {
  completedMs?: number | undefined;
  failedMs?: number | undefined;
  cancelledMs?: number | undefined;
}

/** Options for {@link JobQueue}. */
export interface JobQueueOptions {
  backend: Backend;
  /** Queue name; jobs of different queues never meet. Default `"default"`. */
  name?: string | undefined;
  /** Time source; inject a `ManualClock` in tests. */
  clock?: Clock | undefined;
  /** Lease length for claims that do not name one. Default 30 s. */
  leaseMs?: number | undefined;
  /**
   * Cron arithmetic for recurring schedules: `cron` of `jdobb-async-queue/cron`. Needed by a
   * queue that calls `schedule()` and by one whose claims fire stored schedules (they refill
   * them); without it, those fail with code `UNSUPPORTED` and the bundle carries no croner.
   */
  cron?: CronEngine | undefined;
  defaults?:
    | {
        priority?: number | undefined;
        maxAttempts?: number | undefined;
        backoff?: EnqueueOptions["backoff"] | undefined;
      }
    | undefined;
  /** Default: completed 1 day, failed (dead letter) 7 days, cancelled 1 day. */
  retention?: RetentionOptions | undefined;
  /** Minimum gap between two progress writes of one job. Default 200 ms. */
  progressIntervalMs?: number | undefined;
  /** Largest payload or result accepted, in UTF-8 bytes. Default: the backend's limit. */
  maxPayloadBytes?: number | undefined;
  /**
   * @deprecated Limits live in the store now: set them with `queue.setLimits({ keys })`. Given
   * here, they are stored before this queue object's first claim if the queue has none yet
   * (else the stored ones apply, and a `LIMITS_DIFFER` warning says so).
   */
  keys?: QueueLimitOptions["keys"] | undefined;
  /** @deprecated As `keys`: use `queue.setLimits({ rateLimits })`. */
  rateLimits?: QueueLimitOptions["rateLimits"] | undefined;
}

/** What a progress report may carry. */
export interface ProgressUpdate {
  /** 0..1 */
  progress?: number | undefined;
  message?: string | null | undefined;
  /** Any JSON value, e.g. `{ rows: 120 }`. */
  data?: unknown;
}

/** Options for {@link JobQueue.list}. */
export interface ListOptions {
  state?: JobState | undefined;
  /** 1..1000, default 50. */
  limit?: number | undefined;
  /** From the previous page; omit for the first. */
  cursor?: string | null | undefined;
}

/** One job of {@link JobQueue.enqueueMany}. */
export interface EnqueueItem {
  type: string;
  payload?: unknown;
  options?: EnqueueOptions | undefined;
}

/** One job of {@link JobQueue.enqueueMany} on a queue with job types `J`: typed per name. */
export type EnqueueItemOf<J extends JobDefinitions> = {
  [T in JobTypeName<J>]: {
    type: T;
    payload?: PayloadInput<J[T]> | undefined;
    options?: EnqueueOptions | undefined;
  };
}[JobTypeName<J>];

/** Checks `jobs` at construction: every entry a Standard Schema, or `{ payload, result? }`. */
export function assertJobDefinitions<J extends JobDefinitions>(jobs: J | undefined): J | undefined {
  if (jobs === undefined) return undefined;
  const isSchema = (value: unknown) =>
    typeof (value as { "~standard"?: { validate?: unknown } } | null)?.["~standard"]?.validate ===
    "function";
  if (typeof jobs !== "object" || jobs === null) {
    throw new ValidationError("jobs must map type names to schemas", "jobs");
  }
  for (const [type, definition] of Object.entries(jobs)) {
    const payload = isSchema(definition)
      ? definition
      : (definition as { payload?: unknown })?.payload;
    const result = isSchema(definition) ? undefined : (definition as { result?: unknown })?.result;
    if (!isSchema(payload) || (result !== undefined && !isSchema(result))) {
      throw new ValidationError(
        `jobs.${type} must be a Standard Schema (zod, valibot, arktype …) or { payload, result? }`,
        "jobs",
      );
    }
  }
  return jobs;
}

const DAY = 86_400_000;

/** Options with every default applied and every value checked. */
export interface QueueSettings {
  name: string;
  clock: Clock;
  leaseMs: number;
  progressIntervalMs: number;
  defaults: EnqueueDefaults;
  retention: Required<RetentionOptions>;
  /** The deprecated `keys` / `rateLimits` options, checked, to seed the store with (or null). */
  seedLimits: QueueLimits | null;
  cron: CronEngine | undefined;
}

/** Throws a {@link ValidationError} unless `value` is a positive finite number. */
export function positive(value: number, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`${field} must be a positive number`, field);
  }
  return value;
}

/** Throws a {@link ValidationError} unless `value` is an integer from `min` to `max`. */
export function integerIn(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${field} must be an integer from ${min} to ${max}`, field);
  }
  return value;
}

/** A count from 1 to `max` (default a million): limits, window sizes. */
export const count = (value: unknown, field: string, max = 1_000_000): number =>
  integerIn(value, field, 1, max);

/** Checks a rate limit: `limit` starts (1..1e6) per `windowMs` (1 ms .. 1 day). */
export function rateLimit(value: RateLimit, field: string): RateLimit {
  if (typeof value !== "object" || value === null) {
    throw new ValidationError(`${field} must be { limit, windowMs }`, field);
  }
  return {
    limit: count(value.limit, `${field}.limit`),
    windowMs: count(value.windowMs, `${field}.windowMs`, DAY),
  };
}

/** Checks limit options (the `keys` and `rateLimits` options, or `queue.setLimits`). */
export function checkLimitOptions(options: QueueLimitOptions): QueueLimitOptions {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("limits must be { keys?, rateLimits? }", "limits");
  }
  const { keys, rateLimits } = options;
  if (keys !== undefined && (typeof keys !== "object" || keys === null)) {
    throw new ValidationError("keys must be { concurrency?, rateLimit? }", "keys");
  }
  if (rateLimits !== undefined && (typeof rateLimits !== "object" || rateLimits === null)) {
    throw new ValidationError("rateLimits must map job types to { limit, windowMs }", "rateLimits");
  }
  const checked: QueueLimitOptions = {};
  if (keys !== undefined) {
    checked.keys = {};
    if (keys.concurrency !== undefined) {
      checked.keys.concurrency = count(keys.concurrency, "keys.concurrency");
    }
    if (keys.rateLimit !== undefined) {
      checked.keys.rateLimit = rateLimit(keys.rateLimit, "keys.rateLimit");
    }
  }
  if (rateLimits !== undefined) {
    checked.rateLimits = Object.fromEntries(
      Object.entries(rateLimits).map(([type, limit]) => [
        type,
        rateLimit(limit, `rateLimits.${type}`),
      ]),
    );
  }
  return checked;
}

function resolveSeedLimits(options: JobQueueOptions): QueueLimits | null {
  const { keys, rateLimits } = options;
  if (keys === undefined && rateLimits === undefined) return null;
  return toQueueLimits(checkLimitOptions({ keys, rateLimits }));
}

/** Applies defaults and validates; throws at once on nonsense, does no I/O. */
export function resolveQueueOptions(options: JobQueueOptions): QueueSettings {
  if (!options?.backend) throw new ValidationError("backend is required", "backend");
  const name = options.name ?? "default";
  if (!/^[\w.:-]{1,100}$/.test(name)) {
    throw new ValidationError("name must be 1-100 characters of [A-Za-z0-9_.:-]", "name");
  }
  const retention = options.retention ?? {};
  return {
    name,
    clock: options.clock ?? systemClock,
    leaseMs: positive(options.leaseMs ?? 30_000, "leaseMs"),
    progressIntervalMs: Math.max(0, options.progressIntervalMs ?? 200),
    defaults: {
      priority: options.defaults?.priority ?? 0,
      maxAttempts: options.defaults?.maxAttempts ?? 3,
      backoff: resolveBackoff(options.defaults?.backoff, DEFAULT_BACKOFF),
      maxPayloadBytes: options.maxPayloadBytes ?? options.backend.capabilities.maxPayloadBytes,
    },
    retention: {
      completedMs: retention.completedMs ?? DAY,
      failedMs: retention.failedMs ?? 7 * DAY,
      cancelledMs: retention.cancelledMs ?? DAY,
    },
    seedLimits: resolveSeedLimits(options),
    cron: checkedCron(options.cron),
  };
}

/** The `cron` option, if it is a cron engine; throws a {@link ValidationError} if not. */
function checkedCron(cron: CronEngine | undefined): CronEngine | undefined {
  if (cron !== undefined && typeof cron?.planRefill !== "function") {
    throw new ValidationError('cron must be cron of "jdobb-async-queue/cron"', "cron");
  }
  return cron;
}
