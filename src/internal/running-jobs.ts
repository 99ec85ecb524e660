/**
 * The jobs one worker pool is running: one heartbeat loop extends all their leases, and one
 * shutdown reaches them all. A timer and a listener per job would cost more than a fast job
 * itself; here a single sleep serves every running job, waking for the earliest heartbeat due.
 */
import { LeaseLostError } from "../errors.js";
import type { Job } from "../job.js";
import type { ErrorHandler } from "./error-log.js";
import type { AnyJobQueue } from "./queue-internals.js";

/** Why a job was aborted when the worker shut down: its job is released, not failed. */
export class ShutdownAbort extends Error {
  override name = "ShutdownAbort";
}

/** A running job as the pool sees it. */
export interface Running {
  readonly job: Job;
  /** Stops the attempt (lease lost, cancelled, shutdown). Only the first call counts. */
  abort(reason: unknown): void;
  /** When its next heartbeat is due (kept by {@link RunningJobs}). */
  heartbeatAt: number;
}

export class RunningJobs {
  readonly #all = new Set<Running>();
  /**
   * Jobs waiting for their next heartbeat, earliest due first: every job waits the same
   * `heartbeatMs` after starting or after its last heartbeat, so adding at the end keeps the
   * set in order of due time.
   */
  readonly #waiting = new Set<Running>();
  /** The loop's current sleep, or null when no loop runs. */
  #timer: AbortController | null = null;
  #shutdown: ShutdownAbort | null = null;
  /** Set when the pool has ended: the last job to leave stops the loop. */
  #closed = false;

  constructor(
    private readonly queue: AnyJobQueue,
    private readonly heartbeatMs: number,
    private readonly onError: ErrorHandler,
  ) {}

  /** Starts heartbeats for a job; after {@link RunningJobs.shutdown} it is aborted at once. */
  add(run: Running): void {
    if (this.#shutdown) {
      run.abort(this.#shutdown);
      return;
    }
    this.#all.add(run);
    this.#schedule(run);
  }

  /** Stops heartbeats for a job whose handler has ended. */
  remove(run: Running): void {
    this.#all.delete(run);
    this.#waiting.delete(run);
    if (this.#closed) this.idle();
  }

  /** Aborts every running job, and every job added later, so that its job is released. */
  shutdown(): void {
    this.#shutdown ??= new ShutdownAbort("worker is shutting down");
    for (const run of [...this.#all]) run.abort(this.#shutdown);
  }

  /**
   * Ends the loop's sleep if nothing runs. Between jobs the loop sleeps on (a fast job's
   * successor reuses it); an idle or finished pool calls this so no timer outlives its jobs.
   */
  idle(): void {
    if (this.#all.size > 0) return;
    this.#timer?.abort();
    this.#timer = null;
  }

  /** The pool has ended (jobs may still run if it ended early): no timer outlives them. */
  close(): void {
    this.#closed = true;
    this.idle();
  }

  #schedule(run: Running): void {
    run.heartbeatAt = this.queue.clock.now() + this.heartbeatMs;
    this.#waiting.add(run);
    if (this.#timer) return;
    const timer = new AbortController();
    this.#timer = timer;
    void this.#loop(timer.signal);
  }

  async #loop(signal: AbortSignal): Promise<void> {
    const { clock } = this.queue;
    while (!signal.aborted) {
      const next: Running | undefined = this.#waiting.values().next().value;
      if (!next) break;
      const wait = next.heartbeatAt - clock.now();
      if (wait > 0) {
        await clock.sleep(wait, signal);
        continue;
      }
      this.#waiting.delete(next);
      this.#beat(next);
    }
    // Only the loop that still owns the timer clears it: a stopped loop may end after a new one
    // has started.
    if (this.#timer?.signal === signal) this.#timer = null;
  }

  /** One heartbeat; the next is scheduled `heartbeatMs` after it is answered (not sent). */
  #beat(run: Running): void {
    let answer: Promise<boolean>;
    try {
      answer = this.queue.heartbeat(run.job);
    } catch (error) {
      answer = Promise.reject(error);
    }
    answer.then(
      (ours) => {
        if (!ours) run.abort(new LeaseLostError(run.job.id));
        else if (this.#all.has(run)) this.#schedule(run);
      },
      (error: unknown) => {
        this.onError(error, { operation: "heartbeat", jobId: run.job.id });
        if (this.#all.has(run)) this.#schedule(run); // a blip is not a lost lease
      },
    );
  }
}
