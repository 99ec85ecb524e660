import { expect, it } from "vitest";
import { internalsOf } from "../internal/queue-internals.js";
import type { Job } from "../job.js";
import type { Harness } from "./harness.js";

const claimed = (job: Job | null): Job => {
  expect(job).not.toBeNull();
  return job as Job;
};

/** Exactly-once claims, lease expiry and fencing, heartbeats and release. */
export function leaseSuite(h: () => Harness): void {
  it("never hands one job to two of 20 concurrent claimers (500 jobs)", async () => {
    const { queue } = h();
    for (let i = 0; i < 500; i += 100) {
      await queue.enqueueMany(
        Array.from({ length: 100 }, (_, j) => ({ type: "t", payload: i + j })),
      );
    }
    const seen: string[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, claimer) => {
        for (;;) {
          const jobs = await queue.claimMany(1 + (claimer % 5));
          if (jobs.length === 0) return;
          seen.push(...jobs.map((job) => job.id));
        }
      }),
    );
    expect(seen).toHaveLength(500);
    expect(new Set(seen).size).toBe(500);
    expect((await queue.stats()).active).toBe(500);
  });

  it("makes an expired lease reclaimable and fences the stale holder", async () => {
    const { queue, clock, open } = h();
    const id = await queue.enqueue("t", { n: 1 });
    const stale = claimed(await queue.claim({ leaseMs: 1_000 }));
    expect(stale.attempts).toBe(1);
    expect(stale.leaseUntil).toBe(clock.now() + 1_000);
    await clock.advance(999);
    expect(await open().claim()).toBeNull();
    await clock.advance(1);
    const other = open();
    const fresh = claimed(await other.claim({ leaseMs: 1_000 }));
    expect(fresh.id).toBe(id);
    expect(fresh.attempts).toBe(2);
    const before = await queue.readEvents(id);
    expect(await queue.update(stale, { progress: 0.9 })).toBe(false);
    expect(await queue.heartbeat(stale)).toBe(false);
    expect(await queue.complete(stale, "stale")).toBe(false);
    expect(await open().claim()).toBeNull();
    expect(await queue.readEvents(id)).toEqual(before);
    const now = await queue.get(id);
    expect(now).toMatchObject({ state: "active", attempts: 2, progress: 0, result: null });
    expect(await other.complete(fresh, "fresh")).toBe(true);
    expect((await queue.get(id))?.result).toBe("fresh");
    const types = (await queue.readEvents(id)).map((e) => e.type);
    expect(types).toEqual(["enqueued", "active", "lease-expired", "active", "completed"]);
  });

  it("fences fail and release of a stale holder too", async () => {
    const { queue, clock, open } = h();
    const id = await queue.enqueue("t", null);
    const staleA = claimed(await queue.claim({ leaseMs: 100 }));
    const sideQueue = open();
    await clock.advance(100);
    const staleB = claimed(await sideQueue.claim({ leaseMs: 100 }));
    await clock.advance(100);
    const holder = open();
    const current = claimed(await holder.claim({ leaseMs: 100 }));
    expect(current.attempts).toBe(3);
    expect(await queue.fail(staleA, new Error("late"))).toBe(false);
    expect(await sideQueue.release(staleB)).toBe(false);
    const job = await queue.get(id);
    expect(job).toMatchObject({ state: "active", attempts: 3, error: null });
    expect(await holder.fail(current, new Error("real"), { retry: false })).toBe(true);
    expect((await queue.get(id))?.state).toBe("failed");
  });

  it("extends the lease on every update (heartbeat)", async () => {
    const { queue, clock, open } = h();
    await queue.enqueue("t", null);
    const job = claimed(await queue.claim({ leaseMs: 1_000 }));
    await clock.advance(800);
    expect(await queue.update(job, { progress: 0.5 })).toBe(true);
    await clock.advance(800);
    expect(await open().claim()).toBeNull();
    expect(await queue.heartbeat(job)).toBe(true);
    await clock.advance(999);
    expect(await open().claim()).toBeNull();
    await clock.advance(1);
    expect(await open().claim()).not.toBeNull();
  });

  it("releases a claimed job without counting the attempt", async () => {
    const { queue, open } = h();
    const id = await queue.enqueue("t", null);
    const job = claimed(await queue.claim());
    expect(await queue.release(job)).toBe(true);
    expect(await queue.complete(job, 1).catch(() => "untracked")).toBe("untracked");
    expect(await queue.get(id)).toMatchObject({ state: "queued", attempts: 0 });
    expect(claimed(await open().claim()).attempts).toBe(1);
  });

  it("completes a job and claims the next ones in one call, fenced like complete", async () => {
    const { queue, clock, open } = h();
    const [first, second, third] = [
      await queue.enqueue("t", 1),
      await queue.enqueue("t", 2),
      await queue.enqueue("t", 3),
    ];
    const job = claimed(await queue.claim({ leaseMs: 1_000 }));
    const { completed, next } = await internalsOf(queue).completeAndClaim(job, "one", { limit: 1 });
    expect(completed).toBe(true);
    expect(next.map((j) => j.id)).toEqual([second]);
    expect(await queue.get(first)).toMatchObject({ state: "completed", result: "one" });
    // A stale holder: nothing is written for its job, but the claim still happens.
    await clock.advance(30_001);
    const thief = open();
    const stolen = claimed(await thief.claim());
    expect(stolen.id).toBe(second);
    const stale = await internalsOf(queue).completeAndClaim(next[0] as Job, "late", { limit: 5 });
    expect(stale.completed).toBe(false);
    expect(stale.next.map((j) => j.id)).toEqual([third]);
    expect(await queue.get(second)).toMatchObject({ state: "active", result: null, attempts: 2 });
    const drained = await internalsOf(queue).completeAndClaim(stale.next[0] as Job, "three", {
      limit: 2,
    });
    expect(drained).toMatchObject({ completed: true, next: [] });
  });
}
