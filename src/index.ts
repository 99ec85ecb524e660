/**
 * jdobb-async-queue: an async job queue for serverless and edge runtimes.
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
export type * from "./backend.js";
export { scheduledJobId } from "./backend.js";
export { Broadcaster, type BroadcasterOptions, type SubscribeOptions } from "./broadcaster.js";
export * from "./errors.js";
export { type Clock, ManualClock, systemClock } from "./internal/clock.js";
export { MAX_JSON_DEPTH, snapshotOf } from "./internal/json.js";
export * from "./job.js";
export type {
  JobDefinition,
  JobDefinitions,
  JobMapOf,
  JobTypeName,
  PayloadInput,
  PayloadOutput,
  ResultOf,
  TypedJob,
  UntypedJobs,
} from "./job-types.js";
export { JobQueue } from "./queue.js";
export type {
  EnqueueItem,
  JobQueueOptions,
  ListOptions,
  ProgressUpdate,
  RetentionOptions,
} from "./queue-options.js";
export type {
  Schedule,
  ScheduledJobOptions,
  ScheduleOptions,
  ScheduleOptionsOf,
} from "./schedules.js";
export type * from "./standard-schema.js";
export {
  type DrainOptions,
  type DrainSummary,
  type HandlerOptions,
  type JobContext,
  type JobHandler,
  Worker,
  type WorkerOptions,
} from "./worker.js";
