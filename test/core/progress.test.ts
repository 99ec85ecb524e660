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

  it("refuses a progress message over 4,000 characters, storing nothing", async () => {
    const { queue, calls } = memoryQueue({ progressIntervalMs: 0 });
    const id = await queue.enqueue("t", null);
    const job = (await queue.claim()) as Job;
    expect(await queue.update(job, { message: "m".repeat(4_000) })).toBe(true);
    const writes = calls.get("update");
    await expect(queue.update(job, { message: "m".repeat(4_001) })).rejects.toMatchObject({
      code: "VALIDATION",
      field: "message",
    });
    expect(calls.get("update")).toBe(writes);
    expect((await queue.get(id))?.message).toHaveLength(4_000);
  });

  it("keeps the first 4,000 characters of a handler's error message", async () => {
    const { queue } = memoryQueue();
    const id = await queue.enqueue("t", null, { maxAttempts: 1 });
    const worker = new Worker(queue).handler("t", async () => {
      throw new Error("e".repeat(10_000));
    });
    await worker.drain({ budgetMs: 10_000 });
    const { error } = (await queue.get(id)) as Job;
    expect(error?.message).toHaveLength(4_000);
    expect(error?.message.endsWith("…")).toBe(true);
  });
});
