/**
 * jdobb-async-queue: an async job queue for serverless and edge runtimes.
 *
 * This entry is what applications call. Backends come from their own entries
 * (`jdobb-async-queue/libsql`, `/redis`); writing one takes `jdobb-async-queue/backend`.
 *
 * @example
 * import { JobQueue, Worker, Broadcaster } from "jdobb-async-queue";
 * import { libsqlBackend } from "jdobb-async-queue/libsql";
 *
 * const queue = new JobQueue({ backend: libsqlBackend({ url: "file:queue.db" }) });
 * const id = await queue.enqueue("email", { to: "a@example.com" });
 * const worker = new Worker(queue).handler("email", async (ctx) => ({ sent: true }));
 * await worker.drain({ budgetMs: 25_000 });
 */

// The type of `JobQueueOptions.backend`, for apps that pick a store at run time.
export type { Backend } from "./backend.js";
export { Broadcaster } from "./broadcaster.js";
export * from "./errors.js";
export { type Clock, ManualClock } from "./internal/clock.js";
export type {
  BackoffOptions,
  EnqueueOptions,
  EnqueueResult,
  Job,
  JobCounts,
  JobError,
  JobPage,
  JobState,
  JobUpdate,
} from "./job.js";
export type { JobDefinitions, TypedJob } from "./job-types.js";
export type { KeyLimits, QueueLimitOptions, RateLimit } from "./limits.js";
export { JobQueue } from "./queue.js";
export type { EnqueueItem, JobQueueOptions } from "./queue-options.js";
export type { Schedule, ScheduleOptions } from "./schedules.js";
export {
  type DrainSummary,
  type JobContext,
  type JobHandler,
  Worker,
  type WorkerOptions,
} from "./worker.js";
