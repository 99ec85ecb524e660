import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend.js";
import { BackendError, BackendUnavailableError, JobQueue, ManualClock } from "../../src/index.js";
import { internalsOf } from "../../src/internal/queue-internals.js";
import { memoryQueue } from "../support/memory-queue.js";

describe("leases granted by completeAndClaim", () => {
  it("start after pending progress was flushed, however long that took", async () => {
    const { queue, clock } = memoryQueue({ progressIntervalMs: 60_000, leaseMs: 60_000 });
    // Progress writes take 5 s of (manual) time: a store that is slow to answer.
    const slow: Backend = new Proxy(queue.backend, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== "update" || typeof value !== "function") return value;
        return async (...args: unknown[]) => {
          await clock.advance(5_000);
          return value.apply(target, args);
        };
      },
    });
    const slowQueue = new JobQueue({ backend: slow, clock, name: queue.name, leaseMs: 60_000 });
    await slowQueue.enqueueMany([{ type: "t" }, { type: "t" }]);
    const job = await slowQueue.claim();
    if (!job) throw new Error("no job");
    void slowQueue.update(job, { progress: 0.5 }); // first report goes out at once
    await slowQueue.update(job, { progress: 0.9 }); // coalesced: flushed by the completion
    const { completed, next } = await internalsOf(slowQueue).completeAndClaim(job, "ok", {
      limit: 1,
    });
    expect(completed).toBe(true);
    expect(next[0]?.leaseUntil).toBe(clock.now() + 60_000);
  });
});

describe("leases granted through a write group", () => {
  it("start when the group is sent, however long it waited to be sent", async () => {
    const { queue, clock } = memoryQueue({ leaseMs: 60_000 });
    await queue.enqueueMany([{ type: "t" }, { type: "t" }]);
    const job = await queue.claim();
    if (!job) throw new Error("no job");
    const submittedAt = clock.now();
    const finishing = internalsOf(queue).completeAndClaim(job, "ok", { limit: 1 });
    // The group goes out one macrotask after the completion joined it; the event loop is held
    // up for 5 s before that (a synchronous store busy-waiting on a lock, a paused process).
    setImmediate(() => void clock.advance(5_000));
    const { completed, next } = await finishing;
    expect(completed).toBe(true);
    expect(clock.now()).toBe(submittedAt + 5_000);
    expect(next[0]?.leaseUntil).toBe(submittedAt + 5_000 + 60_000);
  });
});

describe("write combining", () => {
  it("sends concurrent completions of several queue objects as one store call", async () => {
    const { queue, clock, backend, calls } = memoryQueue();
    await queue.enqueueMany(Array.from({ length: 20 }, (_, i) => ({ type: "t", payload: i })));
    const workers = Array.from(
      { length: 5 },
      () => new JobQueue({ backend, clock, name: queue.name }),
    );
    const held = await Promise.all(workers.map((worker) => worker.claim()));
    calls.clear();
    const results = await Promise.all(
      workers.map((worker, i) =>
        internalsOf(worker).completeAndClaim(held[i] as never, i, { limit: 1 }),
      ),
    );
    expect(results.every((r) => r.completed && r.next.length === 1)).toBe(true);
    expect(Object.fromEntries(calls)).toEqual({ completeAndClaimMany: 1 });
  });

  it("sends a lone completion on its own, after one macrotask at most", async () => {
    const { queue, calls } = memoryQueue();
    await queue.enqueue("t", 1);
    const job = await queue.claim();
    calls.clear();
    const { completed } = await internalsOf(queue).completeAndClaim(job as never, "ok", {
      limit: 1,
    });
    expect(completed).toBe(true);
    expect(Object.fromEntries(calls)).toEqual({ completeAndClaim: 1 });
  });
});

describe("write combining when the store refuses a group", () => {
  it("retries the members one by one (a refusal), or fails them all (an outage)", async () => {
    for (const [ErrorClass, expected] of [
      [BackendError, { completeAndClaimMany: 1, completeAndClaim: 3 }],
      [BackendUnavailableError, { completeAndClaimMany: 1 }],
    ] as const) {
      const { queue, clock, backend, calls } = memoryQueue();
      const refusing: Backend = new Proxy(backend, {
        get(target, key, receiver) {
          if (key !== "completeAndClaimMany") return Reflect.get(target, key, receiver);
          return () => {
            calls.set(key, (calls.get(key) ?? 0) + 1);
            return Promise.reject(new ErrorClass("refused"));
          };
        },
      });
      await queue.enqueueMany(Array.from({ length: 6 }, (_, i) => ({ type: "t", payload: i })));
      const workers = Array.from(
        { length: 3 },
        () => new JobQueue({ backend: refusing, clock, name: queue.name }),
      );
      const held = await Promise.all(workers.map((worker) => worker.claim()));
      calls.clear();
      const settled = await Promise.allSettled(
        workers.map((w, i) => internalsOf(w).completeAndClaim(held[i] as never, i, { limit: 1 })),
      );
      expect(Object.fromEntries(calls)).toEqual(expected);
      const fulfilled = settled.filter((s) => s.status === "fulfilled").length;
      expect(fulfilled).toBe(ErrorClass === BackendError ? 3 : 0);
    }
  });
});

describe("write combining and clocks", () => {
  it("never groups queue objects whose clocks differ (a group has one clock reading)", async () => {
    const { queue, backend, calls } = memoryQueue();
    await queue.enqueueMany(Array.from({ length: 4 }, (_, i) => ({ type: "t", payload: i })));
    const other = new ManualClock(queue.clock.now());
    const mine = new JobQueue({ backend, clock: queue.clock, name: queue.name });
    const theirs = new JobQueue({ backend, clock: other, name: queue.name });
    const [a, b] = [await mine.claim(), await theirs.claim()];
    calls.clear();
    await Promise.all([
      internalsOf(mine).completeAndClaim(a as never, 1, { limit: 1 }),
      internalsOf(theirs).completeAndClaim(b as never, 2, { limit: 1 }),
    ]);
    expect(Object.fromEntries(calls)).toEqual({ completeAndClaim: 2 });
  });
});
