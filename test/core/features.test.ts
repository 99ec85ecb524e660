import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend.js";
import { JobQueue, ManualClock, UnsupportedError, Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";

/** The same store, declaring no optional group: a backend with the required core only. */
function coreOnly(inner: Backend): Backend {
  const capabilities = { ...inner.capabilities, features: [] };
  return new Proxy(inner, {
    get: (target, key, receiver) =>
      key === "capabilities" ? capabilities : Reflect.get(target, key, receiver),
  });
}

describe("a backend with the required core only", () => {
  const setup = () => {
    const { backend, clock } = memoryQueue();
    const queue = new JobQueue({ backend: coreOnly(backend), clock, name: "core-only" });
    return { backend, clock, queue };
  };

  /** Expects `call` to be refused with code UNSUPPORTED naming `feature`. */
  const refused = async (call: Promise<unknown>, feature: string) => {
    const error = await call.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error).toMatchObject({ code: "UNSUPPORTED", feature });
  };

  it("refuses schedules at the call, naming the feature, and stores nothing", async () => {
    const { backend, clock, queue } = setup();
    await refused(queue.schedule("nightly", { cron: "0 3 * * *", type: "t" }), "schedules");
    await refused(queue.unschedule("nightly"), "schedules");
    await refused(queue.schedules(), "schedules");
    const scope = { queue: "core-only", now: clock.now() };
    expect(await backend.listSchedules?.(scope)).toEqual([]);
  });

  it("refuses concurrency keys and limits, and stores nothing", async () => {
    const { backend, clock, queue } = setup();
    await refused(queue.enqueue("t", 1, { concurrencyKey: "tenant-1" }), "limits");
    await refused(queue.setLimits({ keys: { concurrency: 1 } }), "limits");
    await refused(queue.limits(), "limits");
    await refused(queue.setConcurrency("tenant-1", 2), "limits");
    await refused(queue.keyLimits("tenant-1"), "limits");
    expect((await queue.stats()).queued).toBe(0);
    const scope = { queue: "core-only", now: clock.now() };
    expect(await backend.getQueueLimits?.(scope)).toMatchObject({ keyConcurrency: null });
    expect(
      () => new JobQueue({ backend: coreOnly(backend), clock, keys: { concurrency: 2 } }),
    ).toThrow(UnsupportedError);
  });

  it("runs jobs without grouped completion: each completion and claim is its own call", async () => {
    const { backend } = memoryQueue();
    const queue = new JobQueue({ backend: coreOnly(backend), clock: new ManualClock() });
    for (let i = 0; i < 3; i++) await queue.enqueue("t", i);
    const ran: number[] = [];
    const worker = new Worker(queue, { concurrency: 2 }).handler("t", async (ctx) => {
      ran.push(ctx.payload as number);
    });
    const summary = await worker.drain({ budgetMs: 5_000 });
    expect(summary.completed).toBe(3);
    expect(ran.sort()).toEqual([0, 1, 2]);
  });
});
