/**
 * Cron arithmetic for stored schedules (croner: maintained, dependency-free, runs on Workers),
 * reached only through `jdobb-async-queue/cron` (see `cron-engine.ts`).
 * Stores cannot evaluate cron, so the core hands them lists of upcoming tick times and,
 * when a list runs low or a store was idle past its end, works out what was missed.
 */
import { Cron } from "croner";
import type { ScheduleRecord } from "../backend.js";
import { ValidationError } from "../errors.js";
import type { RefillPlan } from "./cron-engine.js";

/** Upcoming ticks kept on a schedule record: one refill call per this many ticks, at most. */
export const UPCOMING_TICKS = 16;
/** `catchUp: "all"` fires at most this many missed ticks (the latest ones). */
export const MAX_CATCH_UP = 100;

/** A parsed cron expression; throws a {@link ValidationError} on a bad expression or zone. */
export function cronOf(expression: string, timezone: string | null): Cron {
  if (typeof expression !== "string" || expression.length === 0 || expression.length > 200) {
    throw new ValidationError("cron must be a string of 1 to 200 characters", "cron");
  }
  let cron: Cron;
  try {
    cron = new Cron(expression, {
      timezone: timezone ?? "Etc/UTC",
      paused: true,
      mode: "5-or-6-parts",
    });
  } catch {
    throw new ValidationError("cron is not a valid cron expression", "cron");
  }
  let next: Date | null;
  try {
    next = cron.nextRun();
  } catch {
    throw new ValidationError("timezone is not a valid IANA time zone", "timezone");
  }
  // Say, the 30th of February: it would be stored and never fire.
  if (next === null) throw new ValidationError("cron never matches a future time", "cron");
  return cron;
}

/** The next `count` ticks strictly after `after` (epoch ms, ascending). */
export function ticksAfter(cron: Cron, after: number, count = UPCOMING_TICKS): number[] {
  return cron.nextRuns(count, new Date(after)).map((date) => date.getTime());
}

/**
 * Plans a refill of a record a claim returned. While no tick is due, the list is topped up.
 * Once every listed tick is due, later ones may have been missed too: the missed ticks since
 * the last one fired are worked out here, and the latest (or, with `catchUp: "all"`, each of
 * the latest {@link MAX_CATCH_UP}) is fired.
 */
export function planRefill(record: ScheduleRecord, now: number): RefillPlan {
  const cron = cronOf(record.cron, record.timezone);
  const first = record.upcoming[0];
  if (first !== undefined && first > now) {
    const last = record.upcoming.at(-1) as number;
    const more = ticksAfter(cron, last, UPCOMING_TICKS - record.upcoming.length);
    return { fire: [], upcoming: [...record.upcoming, ...more], lastTickAt: record.lastTickAt };
  }
  // Ticks after this one and up to now are due (the first listed tick if none fired yet).
  const since = record.lastTickAt ?? (first === undefined ? now : first - 1);
  const wanted = record.catchUp === "all" ? MAX_CATCH_UP : 1;
  const missed = cron
    .previousRuns(wanted, new Date(now + 1))
    .map((date) => date.getTime())
    .filter((tick) => tick > since)
    .reverse();
  return {
    fire: missed,
    upcoming: ticksAfter(cron, now),
    lastTickAt: missed.at(-1) ?? record.lastTickAt,
  };
}
