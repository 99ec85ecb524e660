import { BACKEND_FEATURES, type FullBackend } from "../../src/backend.js";
import { libsqlBackend } from "../../src/backends/libsql/node.js";
import { cron } from "../../src/cron.js";
import {
  type JobDefinitions,
  JobQueue,
  type JobQueueOptions,
  ManualClock,
} from "../../src/index.js";
import { memoryBackend } from "../../src/testing/index.js";
import { countingBackend } from "./counting-backend.js";

export { countingBackend } from "./counting-backend.js";

/**
 * A queue on a fresh `memoryBackend()` (the contract's reference implementation: fast, every
 * feature but `push` unless `push` is set, so followers poll as on libSQL), or on a libSQL
 * database when `url` names one, with a manual clock and counted backend calls.
 */
export function memoryQueue(
  options: Partial<JobQueueOptions & { jobs: JobDefinitions; push: boolean }> = {},
  url?: string,
) {
  const clock = new ManualClock();
  const { push = false, ...queueOptions } = options;
  const features = BACKEND_FEATURES.filter((feature) => push || feature !== "push");
  const store = (
    url === undefined ? memoryBackend({ features }) : libsqlBackend({ url })
  ) as FullBackend;
  const { backend, calls } = countingBackend(store);
  const queue = new JobQueue({
    backend,
    clock,
    cron,
    defaults: { backoff: { jitter: 0 } },
    ...queueOptions,
  });
  /** Another queue object on the same store (as another process would have). */
  const peer = () => new JobQueue({ backend, clock, cron, name: queue.name });
  return { queue, clock, backend, calls, peer };
}

/** Waits until `predicate` holds, letting I/O and timers run (no clock involved). */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  what = "condition",
): Promise<void> {
  for (let i = 0; i < 2_500; i++) {
    if (await predicate()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}
