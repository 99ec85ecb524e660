import { describe, expect, it } from "vitest";
import type { FullBackend } from "../../src/backend.js";
import { cron } from "../../src/cron.js";
import { JobQueue, Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";

describe("schedule refills", () => {
  it("refills each schedule on its own and reports the one that failed", async () => {
    const { backend, clock } = memoryQueue();
    // A store whose refill of schedule "a" fails, as a store call can.
    const failing = new Proxy(backend as FullBackend, {
      get(target, key, receiver) {
        if (key !== "refillSchedule") return Reflect.get(target, key, receiver);
        return (input: Parameters<FullBackend["refillSchedule"]>[0]) =>
          input.id === "a"
            ? Promise.reject(Object.assign(new Error("refused"), { code: "BACKEND_ERROR" }))
            : target.refillSchedule(input);
      },
    });
    const queue = new JobQueue({ backend: failing, clock, cron, name: "refills" });
    await queue.schedule("a", { cron: "* * * * *", type: "t" });
    await queue.schedule("b", { cron: "* * * * *", type: "t" });
    const reported: string[] = [];
    const worker = new Worker(queue, {
      concurrency: 4,
      onError: (error, { operation }) => reported.push(`${operation}: ${String(error)}`),
    }).handler("t", () => null);
    // Past the end of both stored lists: the claim hands both back to the core.
    await clock.advance(60 * 60_000);
    await worker.drain({ budgetMs: 10_000 });
    await worker.drain({ budgetMs: 10_000 });
    const [a, b] = await queue.schedules();
    expect(a?.lastRunAt).toBeNull(); // never refilled, never fired
    expect(b?.lastRunAt).toBe(clock.now()); // refilled and fired despite a's failure
    expect(reported[0]).toBe("schedule-refill: Error: refused");
  });

  it("runs a tick missed during downtime in the drain that finds it, not a trigger later", async () => {
    for (const catchUp of ["latest", "all"] as const) {
      const { queue, clock } = memoryQueue();
      await queue.schedule("minutely", { cron: "* * * * *", type: "t", catchUp });
      const ran: string[] = [];
      const worker = new Worker(queue, { concurrency: 4 }).handler("t", (ctx) => {
        ran.push(ctx.job.id);
      });
      // 30 minutes without a claim: past the end of the schedule's stored ticks.
      await clock.advance(30 * 60_000);
      const summary = await worker.drain({ budgetMs: 10_000 });
      expect(summary.completed, catchUp).toBe(catchUp === "latest" ? 1 : 30);
      expect(ran).toHaveLength(summary.completed);
    }
  });

  it("without cron: schedule() is UNSUPPORTED, and a claim's refills are reported, not run", async () => {
    const { backend, clock, queue } = memoryQueue();
    const plain = new JobQueue({ backend, clock, name: queue.name });
    expect(() => new JobQueue({ backend, cron: {} as never })).toThrow(/cron must be/);
    await expect(plain.schedule("s", { cron: "* * * * *", type: "t" })).rejects.toMatchObject({
      code: "UNSUPPORTED",
      feature: "cron",
      message: expect.stringContaining('import { cron } from "jdobb-async-queue/cron"'),
    });
    await queue.schedule("s", { cron: "* * * * *", type: "t" }); // a queue with cron made it
    const reported: string[] = [];
    const worker = new Worker(plain, {
      onError: (error, { operation }) => reported.push(`${operation}: ${(error as Error).name}`),
    }).handler("t", () => null);
    await clock.advance(60 * 60_000); // past the stored ticks: the claim hands it back
    await worker.drain({ budgetMs: 10_000 });
    expect(reported).toContain("schedule-refill: UnsupportedError");
    expect((await queue.schedules())[0]?.lastRunAt).not.toBe(clock.now());
  });
});
