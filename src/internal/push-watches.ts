/**
 * Pushed notices for a queue object (feature `push`): one store watch per job at a time,
 * shared by every follower of that job in this process, turned into the in-process change
 * feed's wake-ups. A store that cannot push (or refuses to) leaves followers polling, with one
 * warning. Nothing is watched, and no subscription exists, while nobody follows a job.
 */
import { type Backend, hasFeature, type PushMethods } from "../backend.js";
import type { ChangeFeed } from "./change-feed.js";
import type { Clock } from "./clock.js";
import { errorCode } from "./error-log.js";

/**
 * Whether followers share one watch per job unless told: not on Workers, where a watch's
 * stream belongs to the request that opened it (`navigator.userAgent` names the runtime).
 */
const SHARE_BY_DEFAULT = globalThis.navigator?.userAgent !== "Cloudflare-Workers";

/** How long followers poll after the store failed to push, before it is tried again. */
const RETRY_AFTER_MS = 60_000;

/** One job's shared watch: how many follow it, and whether notices flow. */
interface Watch {
  followers: number;
  stop: AbortController;
  pushed: Promise<boolean>;
}

/** The push watches of one queue object. */
export class PushWatches {
  readonly #watches = new Map<string, Watch>();
  readonly #backend: (Backend & PushMethods) | null;
  #warned = false;
  /** After a failed watch, followers poll until then before the store is tried again. */
  #retryAt = Number.NEGATIVE_INFINITY;

  constructor(
    backend: Backend,
    private readonly queue: string,
    private readonly clock: Clock,
    private readonly changes: ChangeFeed,
    private readonly warn: (line: string) => void = (line) => console.warn(line),
  ) {
    this.#backend = hasFeature(backend, "push") ? backend : null;
  }

  /**
   * Follows `jobId` until `signal` aborts: resolves true once the store's notices for it wake
   * the change feed, false when they cannot (poll as before). `shared` (the default but on
   * Workers): one watch per job serves every follower; otherwise this follower gets its own.
   */
  async follow(jobId: string, signal: AbortSignal, shared = SHARE_BY_DEFAULT): Promise<boolean> {
    if (!this.#backend || signal.aborted || this.clock.now() < this.#retryAt) return false;
    const watch = (shared ? this.#watches.get(jobId) : undefined) ?? this.#start(jobId, shared);
    watch.followers += 1;
    signal.addEventListener(
      "abort",
      () => {
        watch.followers -= 1;
        if (watch.followers > 0) return;
        watch.stop.abort();
        if (this.#watches.get(jobId) === watch) this.#watches.delete(jobId);
      },
      { once: true },
    );
    return watch.pushed;
  }

  #start(jobId: string, shared: boolean): Watch {
    const stop = new AbortController();
    const backend = this.#backend as Backend & PushMethods;
    const pushed = backend
      .watch({
        queue: this.queue,
        now: this.clock.now(),
        id: jobId,
        signal: stop.signal,
        onNotice: () => this.changes.notify(jobId),
      })
      .then(
        () => true,
        (error: unknown) => {
          if (this.#watches.get(jobId) === watch) this.#watches.delete(jobId);
          this.#retryAt = this.clock.now() + RETRY_AFTER_MS;
          this.#warnOnce(error);
          return false;
        },
      );
    const watch: Watch = { followers: 0, stop, pushed };
    if (shared) this.#watches.set(jobId, watch);
    return watch;
  }

  #warnOnce(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    this.warn(
      `jdobb-async-queue: PUSH_UNAVAILABLE (${errorCode(error)}): streams of ${this.queue} poll`,
    );
  }
}
