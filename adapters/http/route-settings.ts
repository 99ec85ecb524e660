/**
 * The routes' numeric options, checked once at startup (see `options.ts`) and filled with
 * their defaults: a misconfigured app fails before its first request.
 */
import { ValidationError } from "../../src/index.js";
import type { QueueRoutesOptions } from "../hono.js";
import type { WatcherSettings } from "./job-watchers.js";
import { intOption, msOption } from "./options.js";
import type { SseTiming } from "./sse.js";

const DAY = 86_400_000;

/** The routes' settings once checked. */
export interface RouteSettings {
  maxBodyBytes: number;
  tokenTtlMs: number;
  budgetMs: number;
  timing: SseTiming;
  pollMs: { min: number; max: number };
  streams: WatcherSettings;
  wait: { fallback: number; max: number };
}

/** Checks every numeric option of `queueRoutes`; throws a `ValidationError` naming the first bad one. */
export function checkedSettings(
  options: Pick<
    QueueRoutesOptions,
    "maxBodyBytes" | "streamTokenTtlMs" | "budgetMs" | "sse" | "waitMs" | "streams"
  >,
): RouteSettings {
  const sse = options.sse ?? {};
  const minPoll = msOption(sse.pollMs?.min, "sse.pollMs.min", 100, { min: 1, max: 60_000 });
  const maxPoll = msOption(sse.pollMs?.max, "sse.pollMs.max", Math.max(minPoll, 2_000), {
    min: minPoll,
    max: 60_000,
  });
  const waitMax = msOption(options.waitMs?.max, "waitMs.max", 25_000, { min: 0, max: 900_000 });
  const waitDefault = msOption(options.waitMs?.default, "waitMs.default", waitMax, {
    min: 0,
    max: waitMax,
  });
  const maxStreams = intOption(options.streams?.max, "streams.max", { min: 1, max: 1e6 }, 1_000);
  const share = options.streams?.share ?? true;
  if (typeof share !== "boolean") throw new ValidationError("streams.share must be a boolean");
  return {
    maxBodyBytes: intOption(options.maxBodyBytes, "maxBodyBytes", { min: 1, max: 1e8 }, 1e6),
    tokenTtlMs: msOption(options.streamTokenTtlMs, "streamTokenTtlMs", 3_600_000, {
      min: 1_000,
      max: 30 * DAY,
    }),
    budgetMs: msOption(options.budgetMs, "budgetMs", 25_000, { max: DAY }),
    timing: {
      heartbeatMs: msOption(sse.heartbeatMs, "sse.heartbeatMs", 15_000, { min: 10 }),
      maxStreamMs: msOption(sse.maxStreamMs, "sse.maxStreamMs", 300_000, { min: 10 }),
      retryMs: msOption(sse.retryMs, "sse.retryMs", 2_000),
    },
    pollMs: { min: minPoll, max: maxPoll },
    streams: {
      max: maxStreams,
      maxPerJob: intOption(
        options.streams?.maxPerJob,
        "streams.maxPerJob",
        { min: 1, max: maxStreams },
        Math.min(100, maxStreams),
      ),
      share,
      maxStoreCalls:
        sse.maxStorePolls === undefined
          ? undefined
          : intOption(sse.maxStorePolls, "sse.maxStorePolls", { min: 1, max: 1e6 }, 0),
    },
    wait: { fallback: waitDefault, max: waitMax },
  };
}
