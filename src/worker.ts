import { ValidationError } from "./errors.js";
import { type ErrorHandler, rateLimitedConsole } from "./internal/error-log.js";
import {
  FinalWriteError,
  type HandlerOptions,
  type JobHandler,
  type RunOutcome,
  type RunResult,
  runJob,
} from "./internal/run-job.js";
import { type PoolCounts, type PoolDeps, type PoolPlan, runPool } from "./internal/worker-pool.js";
import type { Job } from "./job.js";
import type { JobQueue } from "./queue.js";

export type { ErrorContext, ErrorHandler } from "./internal/error-log.js";
export type { HandlerOptions, JobContext, JobHandler } from "./internal/run-job.js";

/** Options for {@link Worker}. */
export interface WorkerOptions {
  /** Jobs run at the same time. Default 1. */
  concurrency?: number;
  /** Lease per claim. Default: the queue's `leaseMs`. */
  leaseMs?: number;
  /** How often a running job's lease is extended. Default: a third of `leaseMs`. */
  heartbeatMs?: number;
  /** Idle polling of `start()`: first and longest wait between empty claims. Default 100 ms → 5 s. */
  idleMs?: { min?: number; max?: number };
  /**
   * Called with errors the worker survives (the store briefly unreachable, a failed final
   * write or heartbeat), and where they happened. Default: a `console.error` line per
   * distinct code and operation per minute, naming the code, operation and job id.
   */
  onError?: ErrorHandler;
}

/** Options for {@link Worker.drain}. */
export interface DrainOptions {
  /** Start no job that cannot be expected to finish within this many ms from now. */
  budgetMs: number;
  /** Claim at most this many jobs. */
  maxJobs?: number;
  /** Stops claiming (running jobs go on). `worker.stop()` does this too. */
  signal?: AbortSignal;
  /**
   * Aborts running handlers and releases their jobs to the queue (graceful shutdown).
   * `worker.stop({ graceMs })` does this too once its grace period is over.
   */
  shutdown?: AbortSignal;
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

/** A drain or loop in progress: its own claim and shutdown controls. */
interface Run {
  stop: AbortController;
  shutdown: AbortController;
  unfollow: Array<() => void>;
}

/** Aborts `target` when `source` aborts; returns the unsubscribe. */
function follow(source: AbortSignal | undefined, target: AbortController): () => void {
  if (!source) return () => {};
  const abort = () => target.abort(source.reason);
  if (source.aborted) abort();
  else source.addEventListener("abort", abort, { once: true });
  return () => source.removeEventListener("abort", abort);
}

interface Registered {
  fn: JobHandler;
  options: HandlerOptions;
  /** Smoothed observed duration, used when no timeout bounds the job. */
  averageMs: number | null;
}

/**
 * Runs jobs with per-type handlers, either within a time budget (`drain`, for cron-triggered
 * serverless functions) or continuously (`start`/`stop`, for long-running Node processes).
 *
 * @example
 * const worker = new Worker(queue, { concurrency: 10 });
 * worker.handler("resize", async (ctx) => {
 *   await ctx.update({ progress: 0.5 });
 *   return { done: true };
 * }, { timeoutMs: 20_000 });
 * const summary = await worker.drain({ budgetMs: 25_000 });
 */
export class Worker {
  readonly #queue: JobQueue;
  readonly #handlers = new Map<string, Registered>();
  /** Job type + budget pairs already warned about (see `#warnUnfit`). */
  readonly #warned = new Set<string>();
  readonly #settings: PoolDeps & { heartbeatMs: number };
  /** Every drain and loop in progress (with its end), so that `stop()` reaches them all. */
  readonly #runs = new Map<Run, Promise<unknown>>();
  #loop: Promise<unknown> | null = null;
  /** `stop()` calls in progress: runs started meanwhile claim nothing. */
  #stopping = 0;

  constructor(queue: JobQueue, options: WorkerOptions = {}) {
    this.#queue = queue;
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1_000) {
      throw new ValidationError("concurrency must be an integer from 1 to 1000", "concurrency");
    }
    const leaseMs = options.leaseMs ?? queue.leaseMs;
    const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3));
    if (!(heartbeatMs > 0 && heartbeatMs < leaseMs)) {
      throw new ValidationError(
        "heartbeatMs must be positive and shorter than leaseMs",
        "heartbeatMs",
      );
    }
    this.#settings = {
      queue,
      concurrency,
      leaseMs,
      heartbeatMs,
      idle: { min: options.idleMs?.min ?? 100, max: options.idleMs?.max ?? 5_000 },
      onError: options.onError ?? rateLimitedConsole(queue.clock),
    };
  }

  /** Registers the handler for one job type (replacing any earlier one). Chainable. */
  handler<Payload = unknown, Result = unknown>(
    type: string,
    fn: JobHandler<Payload, Result>,
    options: HandlerOptions = {},
  ): this {
    if (typeof fn !== "function")
      throw new ValidationError("handler must be a function", "handler");
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
      throw new ValidationError("timeoutMs must be positive", "timeoutMs");
    }
    this.#handlers.set(type, { fn: fn as JobHandler, options, averageMs: null });
    return this;
  }

  /**
   * Claims and runs jobs until the queue is empty, `maxJobs` were claimed, or the budget
   * leaves no room for another job (by its `timeoutMs`, else its observed average duration).
   * Jobs already running are awaited. Safe to run twice at once (cron may fire twice).
   * Throws if the store cannot be reached for a claim (after the jobs it started have ended).
   */
  async drain(options: DrainOptions): Promise<DrainSummary> {
    if (!(options?.budgetMs > 0))
      throw new ValidationError("budgetMs must be positive", "budgetMs");
    this.#warnUnfit(options.budgetMs);
    const clock = this.#queue.clock;
    const started = clock.now();
    const deadline = started + options.budgetMs;
    const maxJobs = options.maxJobs ?? Number.POSITIVE_INFINITY;
    let claimed = 0;
    let stoppedBy: DrainSummary["stoppedBy"] = "empty";
    const run = this.#open(options);
    const { signal } = run.stop;
    let overBudget = false;
    const summary = await this.#tracked(run, {
      onEmpty: "stop",
      signal,
      shutdown: run.shutdown.signal,
      wanted: (free) => {
        const stop = (reason: DrainSummary["stoppedBy"]) => {
          stoppedBy = reason;
          return 0;
        };
        if (signal.aborted) return stop("signal");
        if (overBudget) return stop("budget");
        if (claimed >= maxJobs) return stop("maxJobs");
        if (deadline - clock.now() < Math.max(1, this.#longestExpectedMs())) return stop("budget");
        const n = Math.min(free, maxJobs - claimed);
        claimed += n;
        return n;
      },
      fits: (job) => {
        // A job that no longer fits is released, and claiming stops so it is not claimed again.
        overBudget ||= deadline - clock.now() < this.#expectedMs(job.type);
        return !overBudget;
      },
    });
    return { ...summary, durationMs: clock.now() - started, stoppedBy };
  }

  /** Starts a continuous loop (idle-polls with backoff; wakes at once on in-process enqueues). */
  start(): void {
    if (this.#loop) return;
    const run = this.#open({});
    const { signal } = run.stop;
    this.#loop = this.#tracked(run, {
      onEmpty: "wait",
      signal,
      shutdown: run.shutdown.signal,
      wanted: (free) => (signal.aborted ? 0 : free),
      fits: () => true,
    });
  }

  /**
   * Stops everything this worker runs (the `start()` loop and every drain in progress, such as
   * one a cron route started) and waits for their running jobs. After `graceMs` (default: wait
   * for them all) running handlers are aborted and their jobs released back to the queue.
   * Drains started meanwhile claim nothing; once it resolves the worker can be used again.
   */
  async stop(options?: { graceMs?: number }): Promise<void> {
    this.#stopping += 1;
    const grace = new AbortController();
    try {
      for (const run of this.#runs.keys()) run.stop.abort();
      if (options?.graceMs !== undefined) {
        void this.#queue.clock.sleep(options.graceMs, grace.signal).then(() => {
          if (grace.signal.aborted) return; // everything ended in time
          for (const run of this.#runs.keys()) run.shutdown.abort();
        });
      }
      while (this.#runs.size > 0) await Promise.allSettled(this.#runs.values());
    } finally {
      grace.abort();
      this.#stopping -= 1;
    }
    this.#loop = null;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** A new run: claiming and shutdown follow the caller's signals, and `stop()`. */
  #open(from: { signal?: AbortSignal; shutdown?: AbortSignal }): Run {
    const stop = new AbortController();
    const shutdown = new AbortController();
    // A shutdown also ends claiming: a run that went on would claim the jobs it just released.
    const unfollow = [follow(from.signal, stop), follow(from.shutdown, shutdown)];
    unfollow.push(follow(shutdown.signal, stop));
    const run = { stop, shutdown, unfollow };
    if (this.#stopping > 0) run.stop.abort();
    return run;
  }

  /** Runs `plan`, tracked for `stop()` until it ends. */
  async #tracked(run: Run, plan: PoolPlan): Promise<PoolCounts> {
    const done = this.#pool(plan);
    this.#runs.set(run, done);
    try {
      return await done;
    } finally {
      this.#runs.delete(run);
      for (const unsubscribe of run.unfollow) unsubscribe();
    }
  }

  #pool(plan: PoolPlan): Promise<PoolCounts> {
    return runPool(this.#settings, plan, (job, nextLimit, shutdown) =>
      this.#run(job, plan, nextLimit, shutdown),
    );
  }

  async #run(
    job: Job,
    plan: PoolPlan,
    nextLimit: () => number,
    shutdown: AbortSignal,
  ): Promise<RunResult> {
    const alone = (outcome: RunOutcome): RunResult => ({ outcome, next: [], asked: 0 });
    try {
      if (!plan.fits(job)) return alone((await this.#queue.release(job)) ? "released" : "lost");
      const handler = this.#handlers.get(job.type);
      const started = this.#queue.clock.now();
      let observed = false;
      const observe = () => {
        if (handler && !observed) this.#observe(handler, this.#queue.clock.now() - started);
        observed = true;
      };
      const { heartbeatMs, leaseMs } = this.#settings;
      const result = await runJob({
        queue: this.#queue,
        job,
        handler,
        heartbeatMs,
        leaseMs,
        shutdown,
        onError: this.#settings.onError,
        // Learn this run's duration before deciding whether another job fits the budget.
        nextLimit: () => {
          observe();
          return nextLimit();
        },
      });
      observe();
      return result;
    } catch (error) {
      // The final write failed (store unreachable): the lease will expire and the job is retried.
      const failed = error instanceof FinalWriteError ? error : null;
      this.#settings.onError(failed?.cause ?? error, {
        operation: failed?.operation ?? "run",
        jobId: job.id,
      });
      this.#queue.forget(job);
      return alone("lost");
    }
  }

  /**
   * Warns once per job type and budget when a handler's `timeoutMs` exceeds the drain's
   * budget: such jobs can never start in that drain, and would otherwise wait silently.
   */
  #warnUnfit(budgetMs: number): void {
    for (const [type, handler] of this.#handlers) {
      const { timeoutMs } = handler.options;
      const key = `${type}\u0000${budgetMs}`;
      if (timeoutMs === undefined || timeoutMs <= budgetMs || this.#warned.has(key)) continue;
      this.#warned.add(key);
      console.warn(
        `jdobb-async-queue worker: jobs of type "${type}" never start in a drain with budgetMs ` +
          `${budgetMs}: the handler's timeoutMs is ${timeoutMs}. Lower timeoutMs or raise budgetMs.`,
      );
    }
  }

  #observe(handler: Registered, ms: number): void {
    handler.averageMs = handler.averageMs === null ? ms : handler.averageMs * 0.8 + ms * 0.2;
  }

  #expectedMs(type: string): number {
    const handler = this.#handlers.get(type);
    return handler?.options.timeoutMs ?? handler?.averageMs ?? 0;
  }

  #longestExpectedMs(): number {
    let longest = 0;
    for (const type of this.#handlers.keys()) longest = Math.max(longest, this.#expectedMs(type));
    return longest;
  }
}
