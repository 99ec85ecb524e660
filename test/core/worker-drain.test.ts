import { describe, expect, it } from "vitest";
import { Worker } from "../../src/index.js";
import { memoryQueue, until } from "../support/memory-queue.js";

describe("Worker.drain", () => {
  it("runs every job, returns results and a summary, and stops when the queue is empty", async () => {
    const { queue } = memoryQueue();
    const ids = await Promise.all([1, 2, 3].map((n) => queue.enqueue("double", { n })));
    const worker = new Worker(queue, { concurrency: 2 }).handler<{ n: number }>(
      "double",
      (ctx) => ctx.payload.n * 2,
    );
    const summary = await worker.drain({ budgetMs: 10_000 });
    expect(summary).toMatchObject({ claimed: 3, completed: 3, failed: 0, stoppedBy: "empty" });
    const results = await Promise.all(ids.map(async (id) => (await queue.get(id))?.result));
    expect(results).toEqual([2, 4, 6]);
  });

  it("refills free slots in batches: 40 jobs at concurrency 10 take at most 9 claims", async () => {
    const { queue, calls, clock } = memoryQueue();
    await queue.enqueueMany(Array.from({ length: 40 }, (_, i) => ({ type: "t", payload: i })));
    const worker = new Worker(queue, { concurrency: 10 }).handler<number>("t", async (ctx) => {
      await clock.sleep(ctx.payload % 7); // finish at different times
      return ctx.payload;
    });
    const drained = worker.drain({ budgetMs: 60_000 });
    for (let t = 0; t < 7; t++) {
      await clock.advance(1);
    }
    let summary = null;
    while (summary === null) {
      summary = await Promise.race([drained, clock.advance(1).then(() => null)]);
    }
    expect(summary).toMatchObject({ claimed: 40, completed: 40 });
    // 1 batch of 10, then refills of at least 5, then one empty claim.
    expect(calls.get("claim")).toBeLessThanOrEqual(9);
  });

  it("costs N + 1 store calls for N jobs: each completion claims the next in the same call", async () => {
    const { queue, calls } = memoryQueue();
    await queue.enqueueMany(Array.from({ length: 5 }, (_, i) => ({ type: "t", payload: i })));
    calls.clear();
    const summary = await new Worker(queue).handler("t", () => "ok").drain({ budgetMs: 10_000 });
    expect(summary).toMatchObject({ claimed: 5, completed: 5, stoppedBy: "empty" });
    expect(Object.fromEntries(calls)).toEqual({ claim: 1, completeAndClaim: 5 });
  });

  it("claims at most maxJobs", async () => {
    const { queue } = memoryQueue();
    for (let i = 0; i < 5; i++) await queue.enqueue("t", i);
    const worker = new Worker(queue, { concurrency: 3 }).handler("t", () => "ok");
    const summary = await worker.drain({ budgetMs: 10_000, maxJobs: 4 });
    expect(summary).toMatchObject({ claimed: 4, completed: 4, stoppedBy: "maxJobs" });
    expect((await queue.stats()).queued).toBe(1);
  });

  it("starts no job whose timeout does not fit the remaining budget", async () => {
    const { queue } = memoryQueue();
    const id = await queue.enqueue("slow", null);
    const worker = new Worker(queue).handler("slow", () => "done", { timeoutMs: 10_000 });
    const skipped = await worker.drain({ budgetMs: 5_000 });
    expect(skipped).toMatchObject({ claimed: 0, stoppedBy: "budget" });
    expect((await queue.get(id))?.state).toBe("queued");
    expect(await worker.drain({ budgetMs: 15_000 })).toMatchObject({ completed: 1 });
  });

  it("learns durations and stops before a job that would overrun the budget", async () => {
    const { queue, clock } = memoryQueue();
    await queue.enqueue("work", 1);
    await queue.enqueue("work", 2);
    const worker = new Worker(queue).handler("work", async () => {
      await clock.sleep(3_000);
      return "done";
    });
    const drained = worker.drain({ budgetMs: 5_000 });
    await clock.untilSleeping(2); // the handler's sleep and the heartbeat timer
    await clock.advance(3_000);
    const summary = await drained;
    expect(summary).toMatchObject({
      claimed: 1,
      completed: 1,
      stoppedBy: "budget",
      durationMs: 3_000,
    });
    expect((await queue.stats()).queued).toBe(1);
  });

  it("retries a throwing handler with backoff, then dead-letters it", async () => {
    const { queue, clock } = memoryQueue();
    const id = await queue.enqueue("flaky", null, { maxAttempts: 2, backoff: { delayMs: 500 } });
    const worker = new Worker(queue).handler("flaky", (ctx) => {
      throw Object.assign(new Error(`boom ${ctx.attempt}`), { code: "E_BOOM" });
    });
    expect(await worker.drain({ budgetMs: 1_000 })).toMatchObject({ retried: 1 });
    expect(await queue.get(id)).toMatchObject({ state: "queued", runAt: clock.now() + 500 });
    await clock.advance(500);
    expect(await worker.drain({ budgetMs: 1_000 })).toMatchObject({ failed: 1 });
    expect((await queue.get(id))?.error).toEqual({
      code: "E_BOOM",
      message: "boom 2",
      name: "Error",
    });
  });

  it("fails a job whose type has no handler with code NO_HANDLER", async () => {
    const { queue } = memoryQueue();
    const id = await queue.enqueue("unknown", null, { maxAttempts: 1 });
    const summary = await new Worker(queue).drain({ budgetMs: 1_000 });
    expect(summary).toMatchObject({ claimed: 1, failed: 1 });
    expect((await queue.get(id))?.error?.code).toBe("NO_HANDLER");
  });

  it("aborts ctx.signal and records TIMEOUT when a handler overruns timeoutMs", async () => {
    const { queue, clock } = memoryQueue();
    const id = await queue.enqueue("hang", null, { maxAttempts: 1 });
    let signal: AbortSignal | undefined;
    const worker = new Worker(queue).handler(
      "hang",
      (ctx) => {
        signal = ctx.signal;
        return new Promise(() => {}); // ignores its signal: the worker must not wait forever
      },
      { timeoutMs: 1_000 },
    );
    const drained = worker.drain({ budgetMs: 5_000 });
    await clock.untilSleeping(2);
    await clock.advance(1_000);
    expect(await drained).toMatchObject({ failed: 1 });
    expect(signal?.aborted).toBe(true);
    expect((await queue.get(id))?.error?.code).toBe("TIMEOUT");
  });

  it("aborts a running job cancelled by another process at its next heartbeat", async () => {
    const { queue, clock, peer } = memoryQueue({ leaseMs: 3_000 });
    const id = await queue.enqueue("long", null);
    let aborted = false;
    const worker = new Worker(queue).handler(
      "long",
      (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => {
            aborted = true;
            reject(ctx.signal.reason);
          }),
        ),
    );
    const drained = worker.drain({ budgetMs: 60_000 });
    await until(async () => (await queue.get(id))?.state === "active", "job to start");
    expect(await peer().cancel(id)).toBe(true);
    await clock.untilSleeping(1);
    await clock.advance(1_000); // heartbeat interval = leaseMs / 3
    expect(await drained).toMatchObject({ lost: 1, completed: 0 });
    expect(aborted).toBe(true);
    expect((await queue.get(id))?.state).toBe("cancelled");
  });

  it("keeps a long job's lease alive with heartbeats", async () => {
    const { queue, clock, peer } = memoryQueue({ leaseMs: 3_000 });
    await queue.enqueue("long", null);
    const worker = new Worker(queue).handler("long", async () => {
      await clock.sleep(10_000);
      return "done";
    });
    const drained = worker.drain({ budgetMs: 60_000 });
    for (let t = 0; t < 10_000; t += 1_000) {
      await clock.untilSleeping(2);
      await clock.advance(1_000);
      expect(await peer().claim()).toBeNull(); // never reclaimable while heartbeats run
    }
    expect(await drained).toMatchObject({ completed: 1, lost: 0 });
  });

  it("rejects bad options at once", () => {
    const { queue } = memoryQueue();
    expect(() => new Worker(queue, { concurrency: 0 })).toThrow(/concurrency/);
    expect(() => new Worker(queue, { heartbeatMs: 60_000 })).toThrow(/heartbeatMs/);
    // More than half the lease: one late heartbeat could lose the job.
    expect(() => new Worker(queue, { leaseMs: 1_000, heartbeatMs: 501 })).toThrow(/half/);
    const worker = new Worker(queue);
    expect(() => worker.handler("t", () => 1, { timeoutMs: -1 })).toThrow(/timeoutMs/);
    return expect(worker.drain({ budgetMs: 0 })).rejects.toThrow(/budgetMs/);
  });
});

describe("Worker slots", () => {
  it("refills a slot freed by a failed job at once (concurrency 4: never 3 busy while jobs wait)", async () => {
    const { queue } = memoryQueue();
    await queue.enqueueMany(Array.from({ length: 8 }, (_, i) => ({ type: "t", payload: i })));
    let busy = 0;
    const release: Array<(fail: boolean) => void> = [];
    const worker = new Worker(queue, { concurrency: 4 }).handler<number>("t", async () => {
      busy += 1;
      const fail = await new Promise<boolean>((resolve) => release.push(resolve));
      busy -= 1;
      if (fail) throw new Error("boom");
      return "ok";
    });
    const drained = worker.drain({ budgetMs: 60_000 });
    await until(() => busy === 4, "4 busy slots");
    release.shift()?.(true); // one attempt fails: its slot must be refilled
    await until(() => busy === 4 && release.length === 4, "the freed slot refilled");
    while (release.length > 0) {
      release.shift()?.(false);
      await until(() => release.length > 0 || busy === 0, "next job");
    }
    const summary = await drained;
    expect(summary).toMatchObject({ claimed: 8, completed: 7, retried: 1 });
  });
});
