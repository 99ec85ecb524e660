import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend.js";
import { JobQueue } from "../../src/index.js";
import { internalsOf } from "../../src/internal/queue-internals.js";
import { memoryQueue } from "../support/memory-queue.js";

describe("leases granted by completeAndClaim", () => {
  it("start after pending progress was flushed, however long that took", async () => {
    const { queue, clock } = memoryQueue({ progressIntervalMs: 60_000, leaseMs: 2_000 });
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
    const slowQueue = new JobQueue({ backend: slow, clock, name: queue.name, leaseMs: 2_000 });
    await slowQueue.enqueueMany([{ type: "t" }, { type: "t" }]);
    const job = await slowQueue.claim();
    if (!job) throw new Error("no job");
    void slowQueue.update(job, { progress: 0.5 }); // first report goes out at once
    await slowQueue.update(job, { progress: 0.9 }); // coalesced: flushed by the completion
    const { completed, next } = await internalsOf(slowQueue).completeAndClaim(job, "ok", {
      limit: 1,
    });
    expect(completed).toBe(true);
    expect(next[0]?.leaseUntil).toBe(clock.now() + 2_000);
  });
});
