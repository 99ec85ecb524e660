/**
 * Single-flight drains: one worker's drains never run more jobs at once than its
 * `concurrency`, whoever starts them (a cron route call, a platform's scheduled tick, an
 * enqueue's kick, a Node cadence). While a full drain runs, other callers share it: it claims
 * until the queue is empty, jobs enqueued meanwhile included. A limited drain (a kick's
 * `maxJobs`) may stop with jobs left, so callers wait for it, then drain themselves with what
 * is left of their budget. (A `worker.start()` loop is separate: do not combine it with drains
 * of the same worker.)
 */
import type { DrainSummary, JobDefinitions, Worker } from "../../src/index.js";

interface RunningDrain {
  drain: Promise<DrainSummary>;
  /** Stops at `maxJobs`, maybe before the queue is empty. */
  limited: boolean;
}

const running = new WeakMap<object, RunningDrain>();

/** A drain of `worker` with `options`, or the full drain of it already running. */
export async function sharedDrain<J extends JobDefinitions>(
  worker: Worker<J>,
  options: Parameters<Worker<J>["drain"]>[0],
): Promise<DrainSummary> {
  const started = Date.now(); // wall time: the platform's limit is in wall time
  let current = running.get(worker);
  while (current?.limited) {
    await current.drain.catch(() => {}); // its caller sees its error
    current = running.get(worker);
  }
  if (current !== undefined) return current.drain;
  // At least 1 ms: a drain with no room left claims nothing and says "budget".
  const budgetMs = Math.max(1, options.budgetMs - (Date.now() - started));
  const drain = worker.drain({ ...options, budgetMs }).finally(() => {
    if (running.get(worker)?.drain === drain) running.delete(worker);
  });
  running.set(worker, { drain, limited: options.maxJobs !== undefined });
  return drain;
}
