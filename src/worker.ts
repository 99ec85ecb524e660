import { ValidationError } from "./errors.js";
import { rateLimitedConsole } from "./internal/error-log.js";
import { HandlerRegistry } from "./internal/handler-registry.js";
import { internalsOf } from "./internal/queue-internals.js";
import { openRun, type Run } from "./internal/run-control.js";
import {
  FinalWriteError,
  type HandlerOptions,
  type JobHandler,
  type RunOutcome,
  type RunResult,
  runJob,
} from "./internal/run-job.js";
import type { RunningJobs } from "./internal/running-jobs.js";
import { type PoolCounts, type PoolDeps, type PoolPlan, runPool } from "./internal/worker-pool.js";
import type { Job } from "./job.js";
import type {
  JobDefinitions,
  JobTypeName,
  PayloadOutput,
  ResultOf,
  UntypedJobs,
} from "./job-types.js";
import type { JobQueue } from "./queue.js";
import type { DrainOptions, DrainSummary, WorkerOptions } from "./worker-options.js";

export type { ErrorContext, ErrorHandler } from "./internal/error-log.js";
export type { HandlerOptions, JobContext, JobHandler } from "./internal/run-job.js";
export type { DrainOptions, DrainSummary, WorkerOptions } from "./worker-options.js";

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
export class Worker<J extends JobDefinitions = UntypedJobs> {
  readonly #queue: JobQueue<J>;
  readonly #handlers = new HandlerRegistry();
  readonly #settings: PoolDeps;
  /** Every drain and loop in progress (with its end), so that `stop()` reaches them all. */
  readonly #runs = new Map<Run, Promise<unknown>>();
  #loop: Promise<unknown> | null = null;
  /** `stop()` calls in progress: runs started meanwhile claim nothing. */
  #stopping = 0;
  /** The latest `stop()` while it is in progress. */
  #stopped: Promise<void> | null = null;

  constructor(queue: JobQueue<J>, options: WorkerOptions = {}) {
    this.#queue = queue;
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1_000) {
      throw new ValidationError("concurrency must be an integer from 1 to 1000", "concurrency");
    }
    const leaseMs = options.leaseMs ?? queue.leaseMs;
    const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3));
    // At most half the lease: one late or lost heartbeat must not cost the job its lease.
    if (!(heartbeatMs > 0 && heartbeatMs <= leaseMs / 2)) {
      throw new ValidationError(
        "heartbeatMs must be positive and at most half of leaseMs",
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

  /**
   * Registers the handler for one job type (replacing any earlier one). Chainable. With a
   * queue given `jobs`, `ctx.payload` is the type's schema output (the worker parses each
   * payload before running it: one that no longer parses fails the job, without retries)
   * and the return value must match the type's result schema.
   */
  handler<T extends JobTypeName<J>>(
    type: T,
    fn: JobHandler<PayloadOutput<J[T]>, ResultOf<J[T]>>,
    options?: HandlerOptions,
  ): this;
  /** On a queue without `jobs`: name the payload and result types yourself. */
  handler<Payload = unknown, Result = unknown>(
    type: string extends JobTypeName<J> ? string : never,
    fn: JobHandler<Payload, Result>,
    options?: HandlerOptions,
  ): this;
  handler(type: string, fn: JobHandler<never, unknown>, options: HandlerOptions = {}): this {
    if (typeof fn !== "function")
      throw new ValidationError("handler must be a function", "handler");
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
      throw new ValidationError("timeoutMs must be positive", "timeoutMs");
    }
    this.#handlers.set(type, fn as JobHandler, options);
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
    this.#handlers.warnUnfit(options.budgetMs);
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
        if (deadline - clock.now() < Math.max(1, this.#handlers.longestExpectedMs()))
          return stop("budget");
        const n = Math.min(free, maxJobs - claimed);
        claimed += n;
        return n;
      },
      unclaimed: (n) => {
        claimed -= n; // asked for, not found: still within maxJobs
      },
      fits: (job) => {
        // A job that no longer fits is released, and claiming stops so it is not claimed again.
        overBudget ||= deadline - clock.now() < this.#handlers.expectedMs(job.type);
        return !overBudget;
      },
    });
    return { ...summary, durationMs: clock.now() - started, stoppedBy };
  }

  /** Starts a continuous loop (idle-polls with backoff; wakes at once on in-process enqueues). */
  start(): void {
    // A start right after a stop (not awaited) takes effect once the stop is done.
    if (this.#stopped !== null) {
      const start = () => this.start();
      void this.#stopped.then(start, start);
      return;
    }
    if (this.#loop !== null) return;
    const run = this.#open({});
    const { signal } = run.stop;
    const loop = this.#tracked(run, {
      onEmpty: "wait",
      signal,
      shutdown: run.shutdown.signal,
      wanted: (free) => (signal.aborted ? 0 : free),
      fits: () => true,
    });
    this.#loop = loop;
    // Once the loop has ended (stopped, or its queue closed) `start()` may start a new one.
    void loop.then(
      () => this.#loopEnded(loop),
      () => this.#loopEnded(loop),
    );
  }

  /**
   * Stops everything this worker runs (the `start()` loop and every drain in progress, such as
   * one a cron route started) and waits for their running jobs. After `graceMs` (default: wait
   * for them all) running handlers are aborted and their jobs released back to the queue.
   * Drains started meanwhile claim nothing; once it resolves the worker can be used again.
   */
  async stop(options?: { graceMs?: number | undefined }): Promise<void> {
    const stopped = this.#stop(options);
    this.#stopped = stopped;
    try {
      await stopped;
    } finally {
      if (this.#stopped === stopped) this.#stopped = null;
    }
  }

  async #stop(options?: { graceMs?: number | undefined }): Promise<void> {
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

  #loopEnded(loop: Promise<unknown>): void {
    if (this.#loop === loop) this.#loop = null;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** A new run: claiming and shutdown follow the caller's signals, and `stop()`. */
  #open(from: { signal?: AbortSignal; shutdown?: AbortSignal }): Run {
    return openRun(from, this.#stopping > 0);
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
    return runPool(this.#settings, plan, (job, nextLimit, running) =>
      this.#run(job, plan, nextLimit, running),
    );
  }

  async #run(
    job: Job,
    plan: PoolPlan,
    nextLimit: () => number,
    running: RunningJobs,
  ): Promise<RunResult> {
    const alone = (outcome: RunOutcome): RunResult => ({ outcome, next: [], asked: 0 });
    try {
      if (!plan.fits(job)) return alone((await this.#queue.release(job)) ? "released" : "lost");
      const handler = this.#handlers.get(job.type);
      const started = this.#queue.clock.now();
      let observed = false;
      const observe = () => {
        if (handler && !observed)
          this.#handlers.observe(handler, this.#queue.clock.now() - started);
        observed = true;
      };
      const result = await runJob({
        queue: this.#queue,
        job,
        handler,
        leaseMs: this.#settings.leaseMs,
        running,
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
      internalsOf(this.#queue).forget(job);
      return alone("lost");
    }
  }
}
