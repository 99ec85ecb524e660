/**
 * In-process change notifications. A queue announces every write it makes; subscribers and
 * idle workers in the same process wake at once instead of waiting for their next poll.
 * Other processes are still seen, by polling the store.
 */
import type { Clock } from "./clock.js";

/** A registration that remembers whether a change arrived since it was last armed. */
export interface ChangeListener {
  /** Forget earlier changes; call right before reading the store. */
  arm(): void;
  /**
   * Resolves after `ms`, or at once / as soon as a change arrives, or when `signal` aborts;
   * with whether a change arrived.
   */
  wait(ms: number, signal?: AbortSignal): Promise<boolean>;
  /** Stops listening. */
  dispose(): void;
}

/** Key under which enqueues are announced to idle workers. */
export const NEW_WORK = "\u0000new-work";

/** Fan-out of "something changed for key K" within one process. */
export class ChangeFeed {
  readonly #listeners = new Map<string, Set<() => void>>();

  constructor(private readonly clock: Clock) {}

  /** Announce a change to `key` (a job id, or {@link NEW_WORK}). */
  notify(key: string): void {
    for (const wake of this.#listeners.get(key) ?? []) {
      try {
        wake();
      } catch {
        // Workers forbid touching another request's I/O objects (its timers' AbortSignal
        // included): that listener simply notices the change at its next poll.
      }
    }
  }

  /** Listen for changes to `key`. */
  listen(key: string): ChangeListener {
    let changed = false;
    let wakeCurrent: (() => void) | null = null;
    const onChange = () => {
      changed = true;
      wakeCurrent?.();
    };
    const set = this.#listeners.get(key) ?? new Set();
    this.#listeners.set(key, set);
    set.add(onChange);
    return {
      arm: () => {
        changed = false;
      },
      wait: async (ms, signal) => {
        if (changed || signal?.aborted) return changed;
        const stop = new AbortController();
        const abort = () => stop.abort();
        wakeCurrent = abort;
        signal?.addEventListener("abort", abort, { once: true });
        try {
          await this.clock.sleep(ms, stop.signal);
        } finally {
          wakeCurrent = null;
          signal?.removeEventListener("abort", abort);
        }
        return changed;
      },
      dispose: () => {
        set.delete(onChange);
        if (set.size === 0) this.#listeners.delete(key);
      },
    };
  }
}
