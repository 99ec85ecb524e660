/**
 * The controls of one drain or `start()` loop: when it stops claiming, and when its running
 * jobs are shut down (released). They follow the caller's own signals and the worker's
 * `stop()`.
 */

/** A drain or loop in progress: its own claim and shutdown controls. */
export interface Run {
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

/**
 * A new run following the caller's `signal` (stop claiming) and `shutdown` (release running
 * jobs). A shutdown also ends claiming: a run that went on would claim the jobs it just
 * released. `stopping`: a `stop()` is in progress, so the run claims nothing.
 */
export function openRun(
  from: { signal?: AbortSignal; shutdown?: AbortSignal },
  stopping: boolean,
): Run {
  const stop = new AbortController();
  const shutdown = new AbortController();
  const unfollow = [follow(from.signal, stop), follow(from.shutdown, shutdown)];
  unfollow.push(follow(shutdown.signal, stop));
  if (stopping) stop.abort();
  return { stop, shutdown, unfollow };
}
