/**
 * Data types shared by the queue, workers, broadcasters and HTTP adapters.
 * Nothing here does I/O.
 */

/** Where a job is in its life. `completed`, `failed` and `cancelled` are terminal. */
export type JobState = "queued" | "active" | "completed" | "failed" | "cancelled";

/** Every state, in the order `stats()` reports them. */
export const JOB_STATES: readonly JobState[] = [
  "queued",
  "active",
  "completed",
  "failed",
  "cancelled",
];

/** True for the states a job never leaves on its own (a `failed` job may still be redriven). */
export function isTerminal(state: JobState): boolean {
  return state === "completed" || state === "failed" || state === "cancelled";
}

/** What a failed attempt, or a dead job, records about its error. */
export interface JobError {
  /** Stable machine-readable code, e.g. `NO_HANDLER`, `TIMEOUT`, `LEASE_EXPIRED`, or the error's own `code`. */
  code: string;
  message: string;
  /** The error's class name, when it had one. */
  name?: string;
}

/** How long to wait before the next attempt after a failure. */
export interface BackoffOptions {
  /** `exponential` doubles the delay each attempt; `fixed` keeps it. Default `exponential`. */
  type?: "exponential" | "fixed" | undefined;
  /** Delay after the first failed attempt, ms. Default 1000. */
  delayMs?: number | undefined;
  /** Upper bound for any delay, ms. Default one hour. */
  maxDelayMs?: number | undefined;
  /** Fraction of the delay that is randomised (0 = none, 1 = "full jitter"). Default 0.2. */
  jitter?: number | undefined;
}

/** Options for {@link JobQueue.enqueue}. */
export interface EnqueueOptions {
  /** Higher runs first. Integer; default 0. */
  priority?: number | undefined;
  /** Run no earlier than this many ms from now. Exclusive with `runAt`. */
  delayMs?: number | undefined;
  /** Run no earlier than this time (epoch ms or Date). Exclusive with `delayMs`. */
  runAt?: number | Date | undefined;
  /** Total attempts before the job is dead-lettered (`failed`). Default 3. */
  maxAttempts?: number | undefined;
  /** Retry delay policy for this job; defaults to the queue's. */
  backoff?: BackoffOptions | undefined;
  /**
   * Enqueueing again with a key that a live (not yet expired) job of this queue holds returns
   * that job's id instead of creating a second job.
   */
  idempotencyKey?: string | undefined;
  /**
   * The job's lane: claims rotate fairly across keys, and the queue's per-key concurrency and
   * rate limits apply to it (e.g. a tenant id). 1-200 characters.
   */
  concurrencyKey?: string | null | undefined;
}

/** What {@link JobQueue.enqueueMany} answers per job, in order. */
export interface EnqueueResult {
  id: string;
  /** False when an idempotency key matched a live job: `id` is that job's. */
  created: boolean;
}

/** A job as callers see it. Payload and result are parsed JSON. */
export interface Job<Payload = unknown, Result = unknown> {
  id: string;
  queue: string;
  type: string;
  payload: Payload;
  state: JobState;
  priority: number;
  /** Attempts started so far (each claim counts, including ones whose lease expired). */
  attempts: number;
  maxAttempts: number;
  /** Earliest time the job may run (epoch ms). */
  runAt: number;
  createdAt: number;
  updatedAt: number;
  /** 0..1, as last reported by the handler. */
  progress: number;
  message: string | null;
  /** Free-form progress data from the last update. */
  data: unknown;
  result: Result | null;
  error: JobError | null;
  /** While active: when the current lease runs out (epoch ms). */
  leaseUntil: number | null;
  idempotencyKey: string | null;
  /** The job's concurrency key (see {@link EnqueueOptions.concurrencyKey}), or null. */
  concurrencyKey: string | null;
  /** Sequence number of the job's latest event: the cursor for {@link JobUpdate}s. */
  seq: number;
}

/** What kind of change an update records. `snapshot` is synthesised for new subscribers. */
export type JobUpdateType =
  | "snapshot"
  | "enqueued"
  | "active"
  | "progress"
  | "retry-scheduled"
  | "lease-expired"
  | "released"
  | "completed"
  | "failed"
  | "cancelled"
  | "redriven";

/** One entry of a job's event log: the job's public status right after the change. */
export interface JobUpdate<Result = unknown> {
  jobId: string;
  /** Gap-free per-job sequence number (1, 2, 3 …): the resume cursor and the SSE `id:`. */
  seq: number;
  type: JobUpdateType;
  /** When the change happened (epoch ms). */
  at: number;
  state: JobState;
  progress: number;
  message: string | null;
  data: unknown;
  attempt: number;
  /** For `retry-scheduled` / `enqueued`: when the job may run next. */
  runAt: number;
  result: Result | null;
  error: JobError | null;
}

/** Counts per state, as returned by `stats()`. */
export type JobCounts = Record<JobState, number>;

/** A page of jobs from `list()`. */
export interface JobPage<J extends Job = Job> {
  jobs: J[];
  /** Pass back as `cursor` for the next page; `null` at the end. */
  cursor: string | null;
}
