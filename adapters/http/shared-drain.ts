/**
 * Single-flight drains: while a worker drains for one caller (a cron route call, a platform's
 * scheduled tick, an enqueue's kick, a Node cadence), other callers share that drain instead
 * of starting their own, so one worker never runs more jobs at once than its `concurrency`.
 * The shared drain claims until the queue is empty, jobs enqueued meanwhile included.
 * (A `worker.start()` loop is separate: do not combine it with drains of the same worker.)
 */
import type { DrainSummary, JobDefinitions, Worker } from "../../src/index.js";

const running = new WeakMap<object, Promise<DrainSummary>>();

/** A drain of `worker` with `options`, or the drain of it already running. */
export function sharedDrain<J extends JobDefinitions>(
  worker: Worker<J>,
  options: Parameters<Worker<J>["drain"]>[0],
): Promise<DrainSummary> {
  const current = running.get(worker);
  if (current !== undefined) return current;
  const drain = worker.drain(options).finally(() => {
    if (running.get(worker) === drain) running.delete(worker);
  });
  running.set(worker, drain);
  return drain;
}
