import { JobNotFoundError } from "./errors.js";
import { snapshotOf } from "./internal/json.js";
import { internalsOf } from "./internal/queue-internals.js";
import { isTerminal, type JobUpdate } from "./job.js";
import type { JobDefinitions, TypedJob, UntypedJobs } from "./job-types.js";
import type { JobQueue } from "./queue.js";

/** Options for {@link Broadcaster}. */
export interface BroadcasterOptions {
  /** First and longest wait between polls of the event log. Default 100 ms → 2 s. */
  pollMs?: { min?: number | undefined; max?: number | undefined } | undefined;
}

/** Options for {@link Broadcaster.subscribe}. */
export interface SubscribeOptions {
  /**
   * Resume after this sequence number (e.g. an SSE `Last-Event-ID`): no snapshot, then every
   * event with a higher sequence. Omit to start with a snapshot of the job as it is now.
   */
  after?: number | undefined;
  /** Ends the subscription. */
  signal?: AbortSignal | undefined;
  /**
   * Ends the subscription (quietly, before the job finished) once it made this many store
   * calls; what the last call read is delivered first. Bounds a stream's cost where every
   * store call counts (Workers' subrequest limit); the caller resumes with `after`.
   */
  maxStoreCalls?: number | undefined;
  /**
   * Share the store's push watch of this job with the process's other subscribers of it
   * (default true, but false on Workers: there an I/O stream belongs to the request that
   * opened it, so a watch opened for one request cannot serve another's).
   */
  sharedWatch?: boolean | undefined;
}

const TERMINAL_EVENTS = new Set(["completed", "failed", "cancelled"]);
const PAGE = 100;
/** Between reads of a pushed job's log while no notice came: a lost notice costs this much. */
const SAFETY_POLL_MS = 20_000;
/** Quiet polls between checks that the job still exists. */
const RECHECK_EVERY = 20;

/**
 * Follows jobs' progress. On a store that pushes (feature `push`: Redis over TCP or REST) it
 * reads a job's event log when the store announces a change, with a safety poll every 20 s;
 * elsewhere it polls the log with adaptive backoff. Changes written through the same queue
 * object in this process wake it at once either way.
 *
 * @example
 * for await (const update of new Broadcaster(queue).subscribe(id)) {
 *   console.log(update.seq, update.type, update.progress);
 * } // ends after the job completes, fails for good, or is cancelled
 */
export class Broadcaster<J extends JobDefinitions = UntypedJobs> {
  readonly #min: number;
  readonly #max: number;

  constructor(
    private readonly queue: JobQueue<J>,
    options: BroadcasterOptions = {},
  ) {
    this.#min = options.pollMs?.min ?? 100;
    this.#max = Math.max(this.#min, options.pollMs?.max ?? 2_000);
  }

  /**
   * The job's updates in order: a `snapshot` first (unless `after` is given), then every event,
   * ending after the terminal one. Throws {@link JobNotFoundError} for an unknown job.
   */
  async *subscribe(jobId: string, options: SubscribeOptions = {}): AsyncGenerator<JobUpdate> {
    const { signal } = options;
    const internals = internalsOf(this.queue);
    const changes = internals.changes.listen(jobId);
    const unwatch = new AbortController();
    const stopWatching = () => unwatch.abort();
    signal?.addEventListener("abort", stopWatching, { once: true });
    let calls = 0;
    const budget = options.maxStoreCalls ?? Number.POSITIVE_INFINITY;
    /** Counts a store call; says whether the budget allows another after it. */
    const spend = () => ++calls < budget;
    try {
      changes.arm();
      let cursor: number;
      let terminalChecked = false;
      if (options.after === undefined) {
        const more = spend();
        const job = await this.queue.get(jobId);
        if (!job) throw new JobNotFoundError(jobId);
        yield snapshotOf(job);
        if (isTerminal(job.state) || !more) return;
        cursor = job.seq;
        terminalChecked = true;
      } else {
        cursor = Math.max(0, Math.floor(options.after));
      }
      // Pushed notices (when the store can) wake the wait below; the poll becomes a safety net.
      const pushed = await internals.push.follow(jobId, unwatch.signal, options.sharedWatch);
      let waitMs = this.#min;
      let quietPolls = 0;
      while (!signal?.aborted) {
        changes.arm();
        const more = spend();
        const events = await this.queue.readEvents(jobId, { after: cursor, limit: PAGE });
        if (signal?.aborted) return; // nobody listens: no further store call
        for (const event of events) {
          yield event;
          cursor = event.seq;
          if (TERMINAL_EVENTS.has(event.type)) return;
        }
        if (!more) return;
        if (events.length === PAGE) continue;
        if (events.length > 0) {
          waitMs = this.#min;
          quietPolls = 0;
          // Polling, read on at once; pushed, the next event brings its own notice.
          if (!pushed) continue;
        } else {
          // Now and then while quiet (and after each safety poll when pushed), check the job
          // still exists (purged or past retention: the log would stay silent for ever).
          quietPolls += 1;
          if (quietPolls % RECHECK_EVERY === 0) terminalChecked = false;
          if (!terminalChecked) {
            // Resuming at or past the end: the log may hold nothing more for us.
            const more = spend();
            const job = await this.queue.get(jobId);
            if (!job) throw new JobNotFoundError(jobId);
            if ((isTerminal(job.state) && job.seq <= cursor) || !more) return;
            terminalChecked = true;
            continue;
          }
        }
        const noticed = await changes.wait(pushed ? SAFETY_POLL_MS : waitMs, signal);
        if (pushed && !noticed) terminalChecked = false; // a safety poll checks the job is there
        waitMs = Math.min(Math.ceil(waitMs * 1.5), this.#max);
      }
    } finally {
      signal?.removeEventListener("abort", stopWatching);
      unwatch.abort();
      changes.dispose();
    }
  }

  /**
   * Waits (bounded) for a job to finish: resolves with the job once it is completed, failed or
   * cancelled, or as it stands when `timeoutMs` runs out (check `job.state`). Lets an API route
   * await a job's result in-process. Throws {@link JobNotFoundError} for an unknown job.
   *
   * @example
   * const job = await new Broadcaster(queue).waitFor(id, { timeoutMs: 20_000 });
   * if (job.state === "completed") return Response.json(job.result);
   */
  async waitFor(
    jobId: string,
    options: { timeoutMs: number; signal?: AbortSignal | undefined },
  ): Promise<TypedJob<J>> {
    const job = await this.queue.get(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    if (isTerminal(job.state) || options.timeoutMs <= 0) return job;
    const stop = new AbortController();
    const abort = () => stop.abort();
    options.signal?.addEventListener("abort", abort, { once: true });
    const timer = this.queue.clock.sleep(options.timeoutMs, stop.signal).then(abort);
    try {
      for await (const update of this.subscribe(jobId, { after: job.seq, signal: stop.signal })) {
        if (isTerminal(update.state)) break;
      }
    } finally {
      stop.abort();
      options.signal?.removeEventListener("abort", abort);
      await timer;
    }
    const latest = await this.queue.get(jobId);
    if (!latest) throw new JobNotFoundError(jobId);
    return latest;
  }
}
