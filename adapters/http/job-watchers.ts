/**
 * Who follows a job for the HTTP routes. One watcher per job and process polls the store
 * (through the core's {@link Broadcaster}) and feeds every SSE stream and result long-poll of
 * that job: the watcher is the single place that reads a job's events, so a push source can
 * later replace its polling alone. Open streams and long-polls are capped (per process or
 * isolate, and per job); past a cap the route answers 503 with `Retry-After`.
 */
import { isTerminal } from "../../src/adapter-kit.js";
import type { Broadcaster, JobDefinitions, JobUpdate } from "../../src/index.js";
import { HttpError } from "./errors.js";

/** Caps and sharing of the routes' watchers (`queueRoutes(…, { streams })`). */
export interface WatcherSettings {
  /** Open streams plus long-polls, all jobs together. */
  max: number;
  /** Open streams plus long-polls of one job. */
  maxPerJob: number;
  /**
   * One watcher (and one store push watch) per job shared by all its followers (off on
   * Workers: see `queueRoutes`).
   */
  share: boolean;
  /** Store calls a watcher makes before its followers end (they resume); default unlimited. */
  maxStoreCalls?: number | undefined;
}

/** Seconds a client refused by a cap should wait. */
const RETRY_AFTER_SECONDS = "5";

/** One follower: its cursor and a queue of updates its reader takes. */
class Follower {
  readonly #pending: JobUpdate[] = [];
  #ended = false;
  #error: unknown = null;
  #wake: (() => void) | null = null;

  constructor(public cursor: number) {}

  push(update: JobUpdate): void {
    if (this.#ended || update.seq <= this.cursor) return;
    this.cursor = update.seq;
    this.#pending.push(update);
    if (isTerminal(update.state) && update.type !== "snapshot") this.#ended = true;
    this.#wake?.();
  }

  end(error: unknown = null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#wake?.();
  }

  async *updates(): AsyncGenerator<JobUpdate> {
    for (;;) {
      const next = this.#pending.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.#ended) {
        if (this.#error !== null) throw this.#error;
        return;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = null;
    }
  }
}

/** Polls one job's log for its followers while it has any. */
class Watcher {
  readonly followers = new Set<Follower>();
  /** The cursor of the running subscription: a follower behind it restarts the subscription. */
  #position = Number.POSITIVE_INFINITY;
  #restart = new AbortController();
  #running = false;

  constructor(
    private readonly broadcaster: Broadcaster<JobDefinitions>,
    private readonly jobId: string,
    private readonly settings: Pick<WatcherSettings, "maxStoreCalls" | "share">,
    private readonly onIdle: () => void,
  ) {}

  add(follower: Follower): void {
    this.followers.add(follower);
    if (!this.#running) void this.#run();
    else if (follower.cursor < this.#position) this.#restart.abort();
  }

  remove(follower: Follower): void {
    this.followers.delete(follower);
    follower.end();
    if (this.followers.size === 0) this.#restart.abort();
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.followers.size > 0) {
        const restart = new AbortController();
        this.#restart = restart;
        this.#position = Math.min(...[...this.followers].map((f) => f.cursor));
        const updates = this.broadcaster.subscribe(this.jobId, {
          after: this.#position,
          signal: restart.signal,
          maxStoreCalls: this.settings.maxStoreCalls,
          sharedWatch: this.settings.share,
        });
        for await (const update of updates) {
          this.#position = update.seq;
          for (const follower of this.followers) follower.push(update);
          if (restart.signal.aborted) break;
        }
        // The subscription ended by itself (the job ended, or the store-call budget ran out).
        if (!restart.signal.aborted) this.#endAll();
      }
    } catch (error) {
      this.#endAll(error);
    } finally {
      this.#running = false;
      this.onIdle();
    }
  }

  #endAll(error?: unknown): void {
    for (const follower of this.followers) follower.end(error);
    this.followers.clear();
  }
}

/** The routes' watchers and caps. */
export class JobWatchers {
  readonly #shared = new Map<string, Watcher>();
  readonly #open = new Map<string, number>();
  #total = 0;

  constructor(
    private readonly broadcaster: Broadcaster<JobDefinitions>,
    private readonly settings: WatcherSettings,
  ) {}

  /** Open streams and long-polls (for tests and metrics). */
  get open(): number {
    return this.#total;
  }

  /**
   * Takes a slot for one stream or long-poll of `jobId`, or throws the 503 of a full cap.
   * Returns the release (idempotent).
   */
  reserve(jobId: string): () => void {
    const ofJob = this.#open.get(jobId) ?? 0;
    if (this.#total >= this.settings.max || ofJob >= this.settings.maxPerJob) {
      throw new HttpError(
        503,
        "TOO_MANY_STREAMS",
        "too many open streams, retry later",
        undefined,
        { "Retry-After": RETRY_AFTER_SECONDS },
      );
    }
    this.#total += 1;
    this.#open.set(jobId, ofJob + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#total -= 1;
      const left = (this.#open.get(jobId) ?? 1) - 1;
      if (left > 0) this.#open.set(jobId, left);
      else this.#open.delete(jobId);
    };
  }

  /**
   * The job's updates after `after`, in order, until its terminal event, the watcher's
   * store-call budget, or `signal`. Throws what the watcher met (an unknown job, a store error).
   */
  async *follow(jobId: string, after: number, signal: AbortSignal): AsyncGenerator<JobUpdate> {
    if (signal.aborted) return;
    const follower = new Follower(after);
    const watcher = this.#watcher(jobId);
    const leave = () => watcher.remove(follower);
    signal.addEventListener("abort", leave, { once: true });
    watcher.add(follower);
    try {
      yield* follower.updates();
    } finally {
      signal.removeEventListener("abort", leave);
      leave();
    }
  }

  #watcher(jobId: string): Watcher {
    if (!this.settings.share) {
      return new Watcher(this.broadcaster, jobId, this.settings, () => {});
    }
    const existing = this.#shared.get(jobId);
    if (existing) return existing;
    const watcher = new Watcher(this.broadcaster, jobId, this.settings, () => {
      if (this.#shared.get(jobId) === watcher && watcher.followers.size === 0) {
        this.#shared.delete(jobId);
      }
    });
    this.#shared.set(jobId, watcher);
    return watcher;
  }
}
