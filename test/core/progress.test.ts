import { describe, expect, it } from "vitest";
import { type Job, Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";

describe("progress coalescing", () => {
  it("turns 10,000 reports into a bounded number of writes and stores the last one", async () => {
    const { queue, calls } = memoryQueue({ progressIntervalMs: 200 });
    const id = await queue.enqueue("t", null);
    const worker = new Worker(queue).handler("t", async (ctx) => {
      for (let i = 1; i <= 10_000; i++) {
        const ours = await ctx.update({ progress: i / 10_000, message: `row ${i}`, data: { i } });
        expect(ours).toBe(true);
      }
      return "done";
    });
    await worker.drain({ budgetMs: 10_000 });
    expect(calls.get("update")).toBeLessThanOrEqual(2);
    const progress = (await queue.readEvents(id)).filter((e) => e.type === "progress");
    expect(progress.at(-1)).toMatchObject({
      progress: 1,
      message: "row 10000",
      data: { i: 10_000 },
    });
    expect((await queue.get(id))?.message).toBe("row 10000");
  });

  it("writes the trailing report once the interval has passed, without a flush", async () => {
    const { queue, clock, calls } = memoryQueue({ progressIntervalMs: 200 });
    const id = await queue.enqueue("t", null);
    const job = (await queue.claim()) as Job;
    await queue.update(job, { progress: 0.1 });
    await queue.update(job, { progress: 0.2 });
    await queue.update(job, { progress: 0.3 });
    expect(calls.get("update")).toBe(1);
    await clock.advance(200);
    await clock.advance(0);
    expect(calls.get("update")).toBe(2);
    expect((await queue.get(id))?.progress).toBe(0.3);
  });

  it("rejects progress outside 0..1 and data that is not JSON", async () => {
    const { queue } = memoryQueue();
    await queue.enqueue("t", null);
    const job = (await queue.claim()) as Job;
    await expect(queue.update(job, { progress: 1.5 })).rejects.toMatchObject({ field: "progress" });
    await expect(queue.update(job, { data: { n: 1n } })).rejects.toMatchObject({ field: "data" });
  });
});
