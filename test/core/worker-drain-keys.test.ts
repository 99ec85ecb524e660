import { describe, expect, it } from "vitest";
import { Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";

describe("drains with concurrency keys", () => {
  it("keep going while a key's limit holds jobs back: one drain runs them all", async () => {
    const { queue, clock, calls } = memoryQueue({ keys: { concurrency: 2 } });
    for (let i = 0; i < 6; i++) await queue.enqueue("t", i, { concurrencyKey: "A" });
    await queue.enqueue("t", "free");
    let running = 0;
    let most = 0;
    const worker = new Worker(queue, { concurrency: 10 }).handler("t", async (ctx) => {
      const keyed = ctx.job.concurrencyKey === "A" ? 1 : 0;
      running += keyed;
      most = Math.max(most, running);
      await clock.sleep(100);
      running -= keyed;
    });
    let done = false;
    const drained = worker.drain({ budgetMs: 60_000 }).finally(() => {
      done = true;
    });
    for (let step = 0; step < 1_000 && !done; step++) {
      if (clock.sleeping > 0) await clock.advance(100);
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(await drained).toMatchObject({ claimed: 7, completed: 7, stoppedBy: "empty" });
    expect(most).toBe(2); // the key's limit held, and was used
    expect(calls.get("claim")).toBe(1); // the rest came with completions, in the same calls
  });

  it("counts only jobs it found against maxJobs", async () => {
    const { queue } = memoryQueue({ keys: { concurrency: 1 } });
    for (let i = 0; i < 5; i++) await queue.enqueue("t", i, { concurrencyKey: "A" });
    const worker = new Worker(queue, { concurrency: 10 }).handler("t", () => null);
    const summary = await worker.drain({ budgetMs: 60_000, maxJobs: 3 });
    // Each claim of 10 finds one job (the key's limit): the other 9 asked for do not count.
    expect(summary).toMatchObject({ claimed: 3, completed: 3, stoppedBy: "maxJobs" });
  });
});
