import { describe, expect, it } from "vitest";
import { Worker } from "../../src/index.js";
import { memoryQueue, until } from "../support/memory-queue.js";

describe("Worker.start / stop", () => {
  it("wakes at once for jobs enqueued in the same process, without polling", async () => {
    const { queue, clock, calls } = memoryQueue();
    const worker = new Worker(queue, { idleMs: { min: 60_000, max: 60_000 } }).handler(
      "t",
      (ctx) => ctx.payload,
    );
    worker.start();
    await clock.untilSleeping(1); // idle after one empty claim
    const claimsWhileIdle = calls.get("claim");
    const id = await queue.enqueue("t", "hi");
    await until(async () => (await queue.get(id))?.state === "completed", "job to complete");
    expect(calls.get("claim")).toBeGreaterThan(claimsWhileIdle ?? 0);
    await worker.stop();
  });

  it("backs off while idle: empty claims grow apart, doubling up to idleMs.max", async () => {
    const { queue, clock, calls } = memoryQueue();
    const worker = new Worker(queue, { idleMs: { min: 100, max: 400 } });
    const start = clock.now();
    worker.start();
    const claimTimes: number[] = [];
    let seen = 0;
    for (let step = 0; step <= 16; step++) {
      await clock.untilSleeping(1);
      if ((calls.get("claim") ?? 0) > seen) {
        seen = calls.get("claim") ?? 0;
        claimTimes.push(clock.now() - start);
      }
      await clock.advance(100);
    }
    await worker.stop();
    expect(claimTimes).toEqual([0, 100, 300, 700, 1_100, 1_500]);
  });

  it("stop() waits for running jobs to finish", async () => {
    const { queue, clock } = memoryQueue();
    const id = await queue.enqueue("t", null);
    const worker = new Worker(queue).handler("t", async () => {
      await clock.sleep(1_000);
      return "finished";
    });
    worker.start();
    await clock.untilSleeping(2);
    const stopped = worker.stop();
    await clock.advance(1_000);
    await stopped;
    expect((await queue.get(id))?.result).toBe("finished");
  });

  it("stop({ graceMs }) aborts running handlers and releases their jobs", async () => {
    const { queue, clock } = memoryQueue();
    const id = await queue.enqueue("t", null);
    let reason: unknown;
    const worker = new Worker(queue).handler(
      "t",
      (ctx) =>
        new Promise((_, reject) =>
          ctx.signal.addEventListener("abort", () => {
            reason = ctx.signal.reason;
            reject(reason);
          }),
        ),
    );
    worker.start();
    await until(async () => (await queue.get(id))?.state === "active", "job to start");
    const stopped = worker.stop({ graceMs: 2_000 });
    await clock.untilSleeping(2);
    await clock.advance(2_000);
    await stopped;
    expect(String(reason)).toMatch(/shutting down/);
    expect(await queue.get(id)).toMatchObject({ state: "queued", attempts: 0 });
  });

  it("survives a store outage while idle and reports it through onError", async () => {
    const { queue, clock, backend } = memoryQueue();
    const errors: unknown[] = [];
    const original = backend.claim.bind(backend);
    let broken = true;
    (backend as { claim: typeof backend.claim }).claim = (input) =>
      broken ? Promise.reject(new Error("store down")) : original(input);
    const worker = new Worker(queue, { onError: (e) => errors.push(e) }).handler("t", () => 1);
    worker.start();
    await clock.untilSleeping(1);
    expect(String(errors[0])).toMatch(/store down/);
    broken = false;
    const id = await queue.enqueue("t", null);
    await until(async () => (await queue.get(id))?.state === "completed", "recovery");
    await worker.stop();
  });
});

describe("Worker.start idle waits", () => {
  it("does not start an idle wait when stop() came during the claim before it", async () => {
    const { queue, backend } = memoryQueue();
    const original = backend.claim.bind(backend);
    const held: Array<() => void> = [];
    (backend as { claim: typeof backend.claim }).claim = async (input) => {
      await new Promise<void>((resolve) => held.push(resolve));
      return original(input);
    };
    const worker = new Worker(queue, { idleMs: { min: 60_000, max: 60_000 } });
    worker.start();
    await until(() => held.length === 1, "the first claim");
    const stopped = worker.stop();
    held[0]?.(); // the claim comes back empty after stop()
    await stopped; // at once: the clock never moves in this test
  });

  it("leaves no sleep or listener behind when a running job ends the wait", async () => {
    const { queue, clock, peer } = memoryQueue();
    // Enqueued by another process: no in-process wake-up, the loop idles between claims.
    await peer().enqueueMany([1, 2, 3].map((n) => ({ type: "t", payload: n })));
    const finish: Array<() => void> = [];
    const worker = new Worker(queue, {
      concurrency: 5,
      idleMs: { min: 60_000, max: 60_000 },
      heartbeatMs: 1_000_000,
      leaseMs: 3_000_000,
    }).handler("t", () => new Promise<void>((resolve) => finish.push(resolve)));
    worker.start();
    await until(() => finish.length === 3, "3 running jobs");
    for (const done of finish.splice(0)) {
      done();
      await until(async () => (await queue.stats()).active < 3 || clock.sleeping > 0, "a claim");
    }
    await until(async () => (await queue.stats()).completed === 3, "3 completed");
    await clock.untilSleeping(1);
    // One idle wait parked, not one per job that ended a wait.
    expect(clock.sleeping).toBe(1);
    await worker.stop();
  });
});

describe("Worker.start after a stop", () => {
  it("restarts when start() follows a stop() that was not awaited", async () => {
    const { queue, clock } = memoryQueue();
    const worker = new Worker(queue, { idleMs: { min: 1_000, max: 1_000 } }).handler("t", () => 1);
    worker.start();
    await clock.untilSleeping(1);
    const stopped = worker.stop();
    worker.start(); // a restart: takes effect once the stop is done
    await stopped;
    const id = await queue.enqueue("t", null);
    await until(async () => (await queue.get(id))?.state === "completed", "the restarted loop");
    await worker.stop();
  });
});
