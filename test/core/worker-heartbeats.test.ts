import { describe, expect, it } from "vitest";
import { JobQueue, Worker } from "../../src/index.js";
import { memoryQueue, until } from "../support/memory-queue.js";

describe("worker heartbeats and aborts", () => {
  it("keeps 50 running jobs' leases alive with one timer", async () => {
    const { queue, clock, peer } = memoryQueue({ leaseMs: 3_000 });
    await queue.enqueueMany(Array.from({ length: 50 }, (_, i) => ({ type: "long", payload: i })));
    const worker = new Worker(queue, { concurrency: 50 }).handler("long", async () => {
      await clock.sleep(10_000);
      return "done";
    });
    const drained = worker.drain({ budgetMs: 60_000 });
    for (let t = 0; t < 10_000; t += 1_000) {
      await clock.untilSleeping(51);
      expect(clock.sleeping).toBe(51); // 50 handlers and one heartbeat timer
      await clock.advance(1_000);
      expect(await peer().claim()).toBeNull(); // never reclaimable while heartbeats run
    }
    expect(await drained).toMatchObject({ completed: 50, lost: 0 });
    expect(clock.sleeping).toBe(0); // no timer outlives the drain
  });

  it("aborts only the cancelled job; the others' heartbeats go on", async () => {
    const { queue, clock, peer } = memoryQueue({ leaseMs: 3_000 });
    const ids = await Promise.all([1, 2, 3].map((n) => queue.enqueue("t", n)));
    const aborted: string[] = [];
    const worker = new Worker(queue, { concurrency: 3 }).handler("t", async (ctx) => {
      ctx.signal.addEventListener("abort", () => aborted.push(ctx.job.id));
      await clock.sleep(5_000, ctx.signal);
      ctx.signal.throwIfAborted();
      return "done";
    });
    const drained = worker.drain({ budgetMs: 60_000 });
    await clock.untilSleeping(4); // 3 handlers and one heartbeat timer
    expect(await peer().cancel(ids[1] as string)).toBe(true);
    await clock.advance(1_000); // the heartbeats find the cancel
    await until(() => aborted.length === 1, "the cancelled job's abort");
    expect(aborted).toEqual([ids[1]]);
    for (let t = 1_000; t < 5_000; t += 1_000) {
      await clock.untilSleeping(3); // 2 handlers and the heartbeat timer
      await clock.advance(1_000);
    }
    expect(await drained).toMatchObject({ completed: 2, lost: 1 });
    expect((await queue.get(ids[1] as string))?.state).toBe("cancelled");
  });

  it("abandons a handler that never reads ctx.signal on timeout; a late read sees the abort", async () => {
    const { queue, clock } = memoryQueue();
    const id = await queue.enqueue("hang", null, { maxAttempts: 1 });
    let seen: { signal: AbortSignal } | undefined;
    const worker = new Worker(queue).handler(
      "hang",
      (ctx) => {
        seen = ctx;
        return new Promise(() => {}); // never settles, never looks at its signal
      },
      { timeoutMs: 1_000 },
    );
    const drained = worker.drain({ budgetMs: 5_000 });
    await clock.untilSleeping(2); // the heartbeat and the timeout
    await clock.advance(1_000);
    expect(await drained).toMatchObject({ failed: 1 });
    expect((await queue.get(id))?.error?.code).toBe("TIMEOUT");
    expect(seen?.signal.aborted).toBe(true);
    expect(seen?.signal.reason).toMatchObject({ code: "TIMEOUT" });
  });

  it("aborts ctx.signal when ctx.update finds the job no longer ours", async () => {
    const { queue, peer } = memoryQueue();
    const id = await queue.enqueue("t", null);
    let reason: unknown;
    const worker = new Worker(queue).handler("t", async (ctx) => {
      await peer().cancel(ctx.job.id);
      expect(await ctx.update({ progress: 0.5 })).toBe(false);
      reason = ctx.signal.reason;
      return "ignored";
    });
    expect(await worker.drain({ budgetMs: 5_000 })).toMatchObject({ lost: 1, completed: 0 });
    expect(reason).toMatchObject({ code: "LEASE_LOST" });
    expect((await queue.get(id))?.state).toBe("cancelled");
  });
});

describe("heartbeats while a payload is parsed", () => {
  it("keeps the lease alive through a slow async schema", async () => {
    const { queue, clock, backend, peer } = memoryQueue({ leaseMs: 3_000 });
    const slow = {
      "~standard": {
        version: 1 as const,
        vendor: "test",
        validate: async (value: unknown) => {
          await clock.sleep(10_000); // a lookup that takes longer than the lease
          return { value };
        },
      },
    };
    const typed = new JobQueue({
      backend,
      clock,
      name: queue.name,
      leaseMs: 3_000,
      jobs: { t: slow },
    });
    await queue.enqueue("t", 1); // stored as given; checked again by the worker
    const worker = new Worker(typed).handler("t", () => "done");
    const drained = worker.drain({ budgetMs: 60_000 });
    for (let t = 0; t < 10_000; t += 1_000) {
      await clock.untilSleeping(2); // the parse and the heartbeat timer
      await clock.advance(1_000);
      expect(await peer().claim()).toBeNull(); // never reclaimable while the parse runs
    }
    expect(await drained).toMatchObject({ completed: 1, lost: 0 });
  });
});
