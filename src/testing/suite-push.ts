import { expect, it } from "vitest";
import type { Harness } from "./harness.js";

/** How long a test waits for a notice before it fails (a guard, not a timing assertion). */
const NOTICE_GUARD_MS = 5_000;

/**
 * Feature `push`: a watch tells its caller when the job's log grows, only that job's, and
 * nothing once it ended. Notices cross store connections, so they are awaited (with a guard).
 */
export function pushSuite(h: () => Harness): void {
  /** Watches `id`; `next()` resolves at the next notice, `count` counts them. */
  const watch = async (harness: Harness, id: string, signal: AbortSignal) => {
    let count = 0;
    let wake: (() => void) | null = null;
    await harness.backend.watch({
      queue: harness.queue.name,
      now: harness.clock.now(),
      id,
      signal,
      onNotice: () => {
        count += 1;
        wake?.();
      },
    });
    const next = () =>
      new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error(`no notice for ${id}`)), NOTICE_GUARD_MS);
        wake = () => {
          clearTimeout(guard);
          wake = null;
          resolve();
        };
      });
    return { next, count: () => count };
  };

  it("notices each event of a watched job, and only that job's", async () => {
    const harness = h();
    const { queue } = harness;
    const [a, b] = [await queue.enqueue("t", 1), await queue.enqueue("t", 2)];
    const stop = new AbortController();
    const watched = await watch(harness, a, stop.signal);
    const claimed = await queue.claimMany(2);
    const jobA = claimed.find((job) => job.id === a);
    const jobB = claimed.find((job) => job.id === b);
    expect(jobA && jobB).toBeTruthy();
    if (!jobA || !jobB) return;
    await queue.complete(jobB, null); // another job's events: no notice for a
    const progress = watched.next();
    await queue.update(jobA, { progress: 0.5 });
    await progress;
    const done = watched.next();
    await queue.complete(jobA, "ok");
    await done;
    expect(watched.count()).toBeGreaterThanOrEqual(2);
    stop.abort();
  });

  it("stops noticing once the watch ends; watching again works", async () => {
    const harness = h();
    const { queue } = harness;
    const id = await queue.enqueue("t", 1);
    const first = new AbortController();
    const ended = await watch(harness, id, first.signal);
    first.abort();
    const second = new AbortController();
    const again = await watch(harness, id, second.signal);
    const noticed = again.next();
    const job = await queue.claim();
    expect(job?.id).toBe(id);
    await noticed;
    expect(ended.count()).toBe(0);
    second.abort();
  });
}
