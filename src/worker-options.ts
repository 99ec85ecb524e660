/** Options and results of {@link Worker}: its constructor, `drain` and the drain summary. */
import type { ErrorHandler } from "./internal/error-log.js";
import type { Worker } from "./worker.js";

/** Options for {@link Worker}. */
export interface WorkerOptions {
  /** Jobs run at the same time. Default 1. */
  concurrency?: number | undefined;
  /** Lease per claim. Default: the queue's `leaseMs`. */
  leaseMs?: number | undefined;
  /** How often a running job's lease is extended. Default: a third of `leaseMs`; at most half. */
  heartbeatMs?: number | undefined;
  /** Idle polling of `start()`: first and longest wait between empty claims. Default 100 ms → 5 s. */
  idleMs?: { min?: number | undefined; max?: number | undefined } | undefined;
  /**
   * Called with errors the worker survives (the store briefly unreachable, a failed final
   * write or heartbeat), and where they happened. Default: a `console.error` line per
   * distinct code and operation per minute, naming the code, operation and job id.
   */
  onError?: ErrorHandler | undefined;
}

/** Options for {@link Worker.drain}. */
export interface DrainOptions {
  /** Start no job that cannot be expected to finish within this many ms from now. */
  budgetMs: number;
  /** Claim at most this many jobs. */
  maxJobs?: number | undefined;
  /** Stops claiming (running jobs go on). `worker.stop()` does this too. */
  signal?: AbortSignal | undefined;
  /**
   * Aborts running handlers and releases their jobs to the queue (graceful shutdown).
   * `worker.stop({ graceMs })` does this too once its grace period is over.
   */
  shutdown?: AbortSignal | undefined;
}

/** What a drain did. */
export interface DrainSummary {
  claimed: number;
  completed: number;
  /** Failed attempts that were scheduled for retry. */
  retried: number;
  /** Jobs dead-lettered by this drain. */
  failed: number;
  /** Jobs lost to lease expiry or cancellation (nothing was written for them). */
  lost: number;
  /** Jobs given back unstarted (did not fit the remaining budget) or on shutdown. */
  released: number;
  durationMs: number;
  stoppedBy: "empty" | "budget" | "maxJobs" | "signal";
}
