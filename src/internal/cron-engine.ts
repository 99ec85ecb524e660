/**
 * What schedules need of cron arithmetic, as an interface: the core reaches croner only through
 * a {@link CronEngine} the application passes (`cron` of `jdobb-async-queue/cron`), so a queue
 * that never schedules carries none of it in its bundle.
 */
import type { ScheduleRecord } from "../backend.js";
import { UnsupportedError } from "../errors.js";

/** What a refill stores: ticks to fire now, the new upcoming list, the latest tick fired. */
export interface RefillPlan {
  fire: number[];
  upcoming: number[];
  lastTickAt: number | null;
}

/** Cron arithmetic for stored schedules: `cron` of `jdobb-async-queue/cron`. */
export interface CronEngine {
  /**
   * The first ticks of `expression` in `timezone` (null: UTC) strictly after `after` (epoch
   * ms); throws a `ValidationError` on a bad expression or zone.
   */
  upcoming(expression: string, timezone: string | null, after: number): number[];
  /** Plans the refill of a schedule record a claim handed back. */
  planRefill(record: ScheduleRecord, now: number): RefillPlan;
}

/**
 * The error of a queue without a cron engine: {@link UnsupportedError} (code `UNSUPPORTED`,
 * feature `cron`) saying how to give it one.
 */
export function noCronError(backend: string): UnsupportedError {
  return new UnsupportedError(
    "cron",
    backend,
    'schedules need cron arithmetic: new JobQueue({ …, cron }) with import { cron } from "jdobb-async-queue/cron"',
  );
}

/** `engine`, or throws {@link noCronError}. */
export function requireCron(engine: CronEngine | undefined, backend: string): CronEngine {
  if (engine) return engine;
  throw noCronError(backend);
}
