import { expect, it } from "vitest";
import type { Harness } from "./harness.js";

/** Claim order, delays, priorities, idempotency and atomic batch enqueue. */
export function orderingSuite(h: () => Harness): void {
  it("claims FIFO within one priority", async () => {
    const { queue } = h();
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) ids.push(await queue.enqueue("t", { i }));
    const claimed = await queue.claimMany(8);
    expect(claimed.map((job) => job.id)).toEqual(ids);
    expect(await queue.claim()).toBeNull();
  });

  it("claims higher priority first, then earlier runAt", async () => {
    const { queue, clock } = h();
    const low = await queue.enqueue("t", null, { priority: -1 });
    const lateHigh = await queue.enqueue("t", null, { priority: 5, delayMs: 10 });
    const mid = await queue.enqueue("t", null);
    const earlyHigh = await queue.enqueue("t", null, { priority: 5 });
    await clock.advance(10);
    const order = (await queue.claimMany(10)).map((job) => job.id);
    expect(order).toEqual([earlyHigh, lateHigh, mid, low]);
  });

  it("keeps delayed jobs until their time (delayMs and runAt)", async () => {
    const { queue, clock } = h();
    const delayed = await queue.enqueue("t", null, { delayMs: 5_000 });
    const at = await queue.enqueue("t", null, { runAt: new Date(clock.now() + 7_000) });
    expect(await queue.claim()).toBeNull();
    await clock.advance(4_999);
    expect(await queue.claim()).toBeNull();
    await clock.advance(1);
    expect((await queue.claim())?.id).toBe(delayed);
    await clock.advance(1_999);
    expect(await queue.claim()).toBeNull();
    await clock.advance(1);
    expect((await queue.claim())?.id).toBe(at);
  });

  it("returns the existing job for a known idempotency key, per queue", async () => {
    const { queue, open } = h();
    const first = await queue.enqueueMany([
      { type: "t", payload: 1, options: { idempotencyKey: "k" } },
    ]);
    const again = await queue.enqueueMany([
      { type: "t", payload: 2, options: { idempotencyKey: "k" } },
      { type: "t", payload: 3, options: { idempotencyKey: "k2" } },
      { type: "t", payload: 4, options: { idempotencyKey: "k2" } },
    ]);
    expect(first[0]?.created).toBe(true);
    expect(again.map((o) => o.created)).toEqual([false, true, false]);
    expect(again[0]?.id).toBe(first[0]?.id);
    expect(again[2]?.id).toBe(again[1]?.id);
    expect((await queue.get(first[0]?.id as string))?.payload).toBe(1);
    expect((await queue.stats()).queued).toBe(2);
    const other = open({ name: `${queue.name}-other` });
    expect(await other.enqueue("t", null, { idempotencyKey: "k" })).not.toBe(first[0]?.id);
  });

  it("frees an idempotency key once its job has expired", async () => {
    const { queue, clock } = h();
    const id = await queue.enqueue("t", null, { idempotencyKey: "once" });
    const job = await queue.claim();
    expect(await queue.complete(job as NonNullable<typeof job>, "done")).toBe(true);
    expect(await queue.enqueue("t", null, { idempotencyKey: "once" })).toBe(id);
    await clock.advance(86_400_000);
    const fresh = await queue.enqueue("t", null, { idempotencyKey: "once" });
    expect(fresh).not.toBe(id);
    expect((await queue.get(fresh))?.state).toBe("queued");
  });

  it("enqueues a batch atomically, in order", async () => {
    const { queue, backend, clock } = h();
    const outcomes = await queue.enqueueMany(
      Array.from({ length: 5 }, (_, i) => ({ type: "t", payload: { i } })),
    );
    expect(outcomes.every((o) => o.created)).toBe(true);
    const claimed = await queue.claimMany(5);
    expect(claimed.map((job) => job.payload)).toEqual([0, 1, 2, 3, 4].map((i) => ({ i })));
    // A batch that reuses a stored id must fail as a whole and store nothing.
    const taken = outcomes[0]?.id as string;
    const fresh = newJob(`fresh-${taken}`);
    await expect(
      backend.enqueue({ queue: queue.name, now: clock.now(), jobs: [fresh, newJob(taken)] }),
    ).rejects.toThrow();
    expect(await queue.get(fresh.id)).toBeNull();
    expect((await queue.stats()).queued).toBe(0);
  });

  it("rejects an invalid batch before storing anything", async () => {
    const { queue } = h();
    await expect(
      queue.enqueueMany([{ type: "ok" }, { type: "bad", options: { priority: 1.5 } }]),
    ).rejects.toMatchObject({ code: "VALIDATION", field: "priority" });
    expect(Object.values(await queue.stats()).reduce((a, b) => a + b, 0)).toBe(0);
  });
}

function newJob(id: string) {
  return {
    id,
    type: "t",
    payload: "null",
    priority: 0,
    runAt: 0,
    maxAttempts: 1,
    backoff: null,
    idempotencyKey: null,
    concurrencyKey: null,
  };
}
