/**
 * Cron arithmetic for recurring schedules (croner), its own entry point: give it to each queue
 * that schedules jobs, or whose claims fire schedules made elsewhere. A queue without it
 * carries none of croner; its `schedule()` and its refills fail with code `UNSUPPORTED`.
 *
 * @example
 * import { JobQueue } from "jdobb-async-queue";
 * import { cron } from "jdobb-async-queue/cron";
 * const queue = new JobQueue({ backend, cron });
 * await queue.schedule("nightly", { cron: "0 3 * * *", type: "report" });
 */
import type { CronEngine } from "./internal/cron-engine.js";
import { cronOf, planRefill, ticksAfter } from "./internal/cron-ticks.js";

export type { CronEngine, RefillPlan } from "./internal/cron-engine.js";

/** The cron engine for `new JobQueue({ cron })`. */
export const cron: CronEngine = {
  upcoming: (expression, timezone, after) => ticksAfter(cronOf(expression, timezone), after),
  planRefill,
};
