/** `watch()`: `events()` as callbacks, for UI code. */
import type { EventsOptions } from "./events.js";

/** Options of `watch()`: those of `events()`, and where errors go. */
export interface WatchOptions extends EventsOptions {
  /** Called with the error that ended the watch (also `done`'s rejection). */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * Stops the watch when called (a React effect's cleanup, as is). `done` resolves with the last
 * update seen (the terminal one, unless stopped first; `null` if none came), or rejects with
 * the error that ended it.
 */
export type Watch<Update> = (() => void) & { done: Promise<Update | null> };

/** Runs `follow` until it ends, the watch is stopped or `options.signal` aborts. */
export function watchJob<Update>(
  follow: (signal: AbortSignal) => AsyncIterable<Update>,
  onUpdate: (update: Update) => void,
  options: WatchOptions = {},
): Watch<Update> {
  const stop = new AbortController();
  const outer = options.signal;
  const forward = () => stop.abort(outer?.reason);
  if (outer?.aborted) forward();
  else outer?.addEventListener("abort", forward, { once: true });
  let last: Update | null = null;
  const done = (async () => {
    try {
      for await (const update of follow(stop.signal)) {
        last = update;
        onUpdate(update);
      }
    } catch (error) {
      if (!stop.signal.aborted) {
        options.onError?.(error);
        throw error;
      }
    } finally {
      outer?.removeEventListener("abort", forward);
    }
    return last;
  })();
  // Errors reach onError and whoever awaits `done`; a watch nobody awaits is no unhandled rejection.
  done.catch(() => {});
  return Object.assign(() => stop.abort(), { done });
}
