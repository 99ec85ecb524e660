import { expect, it } from "vitest";
import { NO_LIMITS, type QueueLimits } from "../backend.js";
import type { Job } from "../job.js";
import { claimInputOf, type Harness } from "./harness.js";

/**
 * Concurrency keys, fairness across keys and rate limits: the claim rules of `ClaimInput`,
 * checked through the queue (which passes its `keys` and `rateLimits` options to every claim)
 * and, where the claim's own outcome matters, through the backend.
 */
export function keySuite(h: () => Harness): void {
  const ids = (jobs: Job[]) => jobs.map((job) => job.id);
  /** Claims one job at a time, completing each, until `n` were claimed or none is left. */
  const claimOneByOne = async (queue: Harness["queue"], n: number) => {
    const order: string[] = [];
    for (let i = 0; i < n; i++) {
      const job = await queue.claim();
      if (!job) break;
      order.push(job.id);
      await queue.complete(job, null);
    }
    return order;
  };

  it("never makes more jobs of a key active than its limit", async () => {
    const { open } = h();
    const queue = open({ keys: { concurrency: 2 } });
    const a: string[] = [];
    for (let i = 0; i < 4; i++) a.push(await queue.enqueue("t", i, { concurrencyKey: "A" }));
    const b = await queue.enqueue("t", 9, { concurrencyKey: "B" });
    const free = await queue.enqueue("t", 10);
    const first = await queue.claimMany(10);
    expect(new Set(ids(first))).toEqual(new Set([a[0], a[1], b, free]));
    expect(first.find((job) => job.id === a[0])?.concurrencyKey).toBe("A");
    expect(await queue.claim()).toBeNull(); // A is full; nothing else is runnable
    await queue.complete(first.find((job) => job.id === a[0]) as Job, null);
    expect(ids(await queue.claimMany(10))).toEqual([a[2]]);
  });

  it("frees a key's slot when a lease expires, or when its job is cancelled or fails", async () => {
    const { open, clock } = h();
    const queue = open({ keys: { concurrency: 1 }, defaults: { maxAttempts: 5 } });
    const a1 = await queue.enqueue("t", 1, { concurrencyKey: "A" });
    const a2 = await queue.enqueue("t", 2, { concurrencyKey: "A" });
    expect((await queue.claim({ leaseMs: 1_000 }))?.id).toBe(a1);
    expect(await queue.claim()).toBeNull();
    await clock.advance(1_001);
    const again = await queue.claim({ leaseMs: 1_000 }); // the expired job, back in line first
    expect(again?.id).toBe(a1);
    expect(await queue.claim()).toBeNull();
    await queue.cancel(a1);
    const second = await queue.claim();
    expect(second?.id).toBe(a2);
    await queue.fail(second as Job, new Error("boom")); // retried later: the slot is free now
    const a3 = await queue.enqueue("t", 3, { concurrencyKey: "A" });
    expect((await queue.claim())?.id).toBe(a3);
  });

  it("lets a key's stored limits override the queue's defaults, and removes them", async () => {
    const { open } = h();
    const queue = open({ keys: { concurrency: 1 } });
    await queue.setConcurrency("A", 3);
    expect(await queue.keyLimits("A")).toEqual({ concurrency: 3, rateLimit: null });
    for (let i = 0; i < 5; i++) await queue.enqueue("t", i, { concurrencyKey: "A" });
    expect(await queue.claimMany(10)).toHaveLength(3);
    await queue.setConcurrency("A", 3); // the same again: a re-send changes nothing
    expect(await queue.keyLimits("A")).toEqual({ concurrency: 3, rateLimit: null });
    await queue.setConcurrency("A", null);
    expect(await queue.keyLimits("A")).toEqual({ concurrency: null, rateLimit: null });
    expect(await queue.claimMany(10)).toHaveLength(0); // back to 1, and 3 are active
  });

  it("rotates across keys at equal priority; unkeyed jobs are one more lane", async () => {
    const { queue } = h();
    const job = (key: string | null, i: number) =>
      queue.enqueue("t", i, key ? { concurrencyKey: key } : {});
    const u1 = await job(null, 0);
    const [a1, a2, a3] = [await job("A", 1), await job("A", 2), await job("A", 3)];
    const [b1, b2] = [await job("B", 4), await job("B", 5)];
    const u2 = await job(null, 6);
    const c1 = await job("C", 7);
    // Never-served lanes go in the order of their first job; then least recently served.
    expect(await claimOneByOne(queue, 10)).toEqual([u1, a1, b1, c1, u2, a2, b2, a3]);
  });

  it("claims a batch in the same rotation", async () => {
    const { queue } = h();
    const a = [await queue.enqueue("t", 1, { concurrencyKey: "A" })];
    a.push(await queue.enqueue("t", 2, { concurrencyKey: "A" }));
    const b = await queue.enqueue("t", 3, { concurrencyKey: "B" });
    expect(ids(await queue.claimMany(3))).toEqual([a[0], b, a[1]]);
  });

  it("keeps priority first across lanes", async () => {
    const { queue } = h();
    const a1 = await queue.enqueue("t", 1, { concurrencyKey: "A" });
    const b1 = await queue.enqueue("t", 2, { concurrencyKey: "B", priority: 5 });
    const free = await queue.enqueue("t", 3, { priority: 9 });
    const a2 = await queue.enqueue("t", 4, { concurrencyKey: "A", priority: 7 });
    expect(await claimOneByOne(queue, 5)).toEqual([free, a2, b1, a1]);
  });

  it("starts a new key's first job within a few claims of another key's backlog", async () => {
    const { queue } = h();
    const backlog = await queue.enqueueMany(
      Array.from({ length: 300 }, (_, i) => ({
        type: "t",
        payload: i,
        options: { concurrencyKey: "A" },
      })),
    );
    expect(backlog).toHaveLength(300);
    expect(await claimOneByOne(queue, 20)).toHaveLength(20);
    const b = await queue.enqueue("t", "b", { concurrencyKey: "B" });
    const next = await claimOneByOne(queue, 2);
    expect(next).toContain(b);
  });

  it("forgets an idle key's turn; a job back from active keeps it", async () => {
    const { queue } = h();
    const job = (key: string, i: number) => queue.enqueue("t", i, { concurrencyKey: key });
    const [b1, b2, a1] = [await job("B", 1), await job("B", 2), await job("A", 3)];
    expect((await queue.claim())?.id).toBe(b1); // B's turn: 1
    const first = await queue.claim(); // A's turn: 2, after B's
    expect(first?.id).toBe(a1);
    await queue.release(first as Job); // back from active: A keeps its turn, so B goes first
    expect((await queue.claim())?.id).toBe(b2);
    const again = await queue.claim();
    expect(again?.id).toBe(a1);
    await queue.complete(again as Job, null); // A is idle now: it keeps no turn
    const [b3, a2] = [await job("B", 4), await job("A", 5)];
    expect((await queue.claim())?.id).toBe(a2); // A never served again, B served at 3
    expect((await queue.claim())?.id).toBe(b3);
  });

  it("holds a type to its rate window and says when the window opens", async () => {
    const { open, clock, backend } = h();
    const queue = open({ rateLimits: { mail: { limit: 2, windowMs: 1_000 } } });
    await toWindowStart(clock, 1_000, 100); // 100 ms into a window
    const mail = [];
    for (let i = 0; i < 5; i++) mail.push(await queue.enqueue("mail", i));
    const other = await queue.enqueue("other", 0);
    expect(ids(await queue.claimMany(10))).toEqual([mail[0], mail[1], other]);
    const held = await backend.claim(claimInputOf(h(), 10));
    expect(held.jobs).toEqual([]);
    expect(held.wakeAt).toBe(clock.now() + 900);
    await clock.advance(900);
    expect(ids(await queue.claimMany(10))).toEqual([mail[2], mail[3]]);
  });

  it("holds a key to its rate window, per key, with overrides", async () => {
    const { open, clock } = h();
    // Leases outlast the window, so nothing comes back by lease expiry.
    const queue = open({ keys: { rateLimit: { limit: 1, windowMs: 60_000 } }, leaseMs: 600_000 });
    await toWindowStart(clock, 60_000);
    const a = [await queue.enqueue("t", 1, { concurrencyKey: "A" })];
    a.push(await queue.enqueue("t", 2, { concurrencyKey: "A" }));
    const b = await queue.enqueue("t", 3, { concurrencyKey: "B" });
    const c = [await queue.enqueue("t", 4, { concurrencyKey: "C" })];
    c.push(await queue.enqueue("t", 5, { concurrencyKey: "C" }));
    await queue.setRateLimit("C", { limit: 2, windowMs: 60_000 });
    expect(await queue.keyLimits("C")).toEqual({
      concurrency: null,
      rateLimit: { limit: 2, windowMs: 60_000 },
    });
    expect(new Set(ids(await queue.claimMany(10)))).toEqual(new Set([a[0], b, c[0], c[1]]));
    expect(await queue.claim()).toBeNull();
    await clock.advance(60_000);
    expect(ids(await queue.claimMany(10))).toEqual([a[1]]);
  });

  it("counts nothing twice for a re-sent claim", async () => {
    const harness = h();
    const { backend, clock, queue } = harness;
    await toWindowStart(clock, 10_000);
    for (let i = 0; i < 3; i++) await queue.enqueue("t", i, { concurrencyKey: "A" });
    const limits: QueueLimits = {
      keyConcurrency: 2,
      keyRateLimit: { limit: 2, windowMs: 10_000 },
      typeRateLimits: [{ type: "t", limit: 2, windowMs: 10_000 }],
    };
    await backend.setQueueLimits({ queue: queue.name, now: clock.now(), limits });
    const input = claimInputOf(harness, 1);
    const first = await backend.claim(input);
    const again = await backend.claim(input);
    expect(again.jobs.map((job) => job.id)).toEqual(first.jobs.map((job) => job.id));
    const next = await backend.claim(claimInputOf(harness, 5));
    expect(next.jobs).toHaveLength(1); // one more start, one more slot: not used up by the re-send
  });

  it("applies key limits to grouped completions too", async () => {
    const harness = h();
    const { backend, clock, queue } = harness;
    if (!backend.capabilities.features.includes("groupedCompletion")) return;
    const limits: QueueLimits = { ...NO_LIMITS, keyConcurrency: 1 };
    await backend.setQueueLimits({ queue: queue.name, now: clock.now(), limits });
    await queue.enqueue("t", 1);
    await queue.enqueue("t", 2);
    const claims = [claimInputOf(harness, 1)];
    claims.push(claimInputOf(harness, 1));
    const held: string[] = [];
    for (const input of claims) held.push((await backend.claim(input)).jobs[0]?.id as string);
    for (let i = 0; i < 3; i++) await queue.enqueue("t", i, { concurrencyKey: "A" });
    const member = (i: number) => {
      const { queue: _q, now: _n, ...next } = claimInputOf(harness, 5);
      const token = claims[i]?.token as string;
      return {
        id: held[i] as string,
        token,
        result: "null",
        expiresAt: clock.now() + 60_000,
        next,
      };
    };
    const outcomes = await backend.completeAndClaimMany({
      queue: queue.name,
      now: clock.now(),
      items: [member(0), member(1)],
    });
    expect(outcomes.map((o) => o.completed)).toEqual([true, true]);
    expect(outcomes.flatMap((o) => o.claimed)).toHaveLength(1);
  });
}

/** Moves the clock to `offset` ms into the next window of `windowMs`. */
async function toWindowStart(clock: Harness["clock"], windowMs: number, offset = 0) {
  const next = Math.ceil(clock.now() / windowMs) * windowMs + offset;
  if (next > clock.now()) await clock.advance(next - clock.now());
}
