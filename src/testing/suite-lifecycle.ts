import { expect, it } from "vitest";
import { InvalidStateError, JobNotFoundError } from "../errors.js";
import type { Job } from "../job.js";
import type { Harness } from "./harness.js";

async function claimOne(h: Harness): Promise<Job> {
  const job = await h.queue.claim();
  expect(job).not.toBeNull();
  return job as Job;
}

/** Retries with backoff, dead letter, redrive, cancellation and retention. */
export function lifecycleSuite(h: () => Harness): void {
  it("retries with exponential backoff, then dead-letters after maxAttempts", async () => {
    const harness = h();
    const { queue, clock } = harness;
    const id = await queue.enqueue("t", null, {
      maxAttempts: 3,
      backoff: { type: "exponential", delayMs: 1_000, jitter: 0 },
    });
    for (const wait of [1_000, 2_000]) {
      const job = await claimOne(harness);
      expect(await queue.fail(job, new Error(`attempt ${job.attempts}`))).toBe(true);
      expect(await queue.get(id)).toMatchObject({ state: "queued", runAt: clock.now() + wait });
      await clock.advance(wait - 1);
      expect(await queue.claim()).toBeNull();
      await clock.advance(1);
    }
    const last = await claimOne(harness);
    expect(last.attempts).toBe(3);
    expect(await queue.fail(last, Object.assign(new Error("final"), { code: "E_FINAL" }))).toBe(
      true,
    );
    const dead = await queue.get(id);
    expect(dead).toMatchObject({ state: "failed", attempts: 3 });
    expect(dead?.error).toMatchObject({ code: "E_FINAL", message: "final" });
    expect((await queue.list({ state: "failed" })).jobs.map((j) => j.id)).toEqual([id]);
    const types = (await queue.readEvents(id)).map((e) => e.type);
    expect(types).toEqual([
      "enqueued",
      "active",
      "retry-scheduled",
      "active",
      "retry-scheduled",
      "active",
      "failed",
    ]);
  });

  it("counts an expired lease as an attempt and dead-letters it when none are left", async () => {
    const harness = h();
    const { queue, clock } = harness;
    const id = await queue.enqueue("t", null, { maxAttempts: 1 });
    await queue.claim({ leaseMs: 500 });
    await clock.advance(500);
    expect(await queue.claim()).toBeNull();
    const dead = await queue.get(id);
    expect(dead?.state).toBe("failed");
    expect(dead?.error?.code).toBe("LEASE_EXPIRED");
  });

  it("redrives a dead job with fresh attempts", async () => {
    const harness = h();
    const { queue } = harness;
    const id = await queue.enqueue("t", null, { maxAttempts: 1 });
    await queue.fail(await claimOne(harness), new Error("no"));
    await queue.retry(id);
    expect(await queue.get(id)).toMatchObject({ state: "queued", attempts: 0 });
    const again = await claimOne(harness);
    expect(again.attempts).toBe(1);
    await expect(queue.retry(id)).rejects.toBeInstanceOf(InvalidStateError);
    await expect(queue.retry("missing")).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it("cancels a queued job at once", async () => {
    const { queue } = h();
    const id = await queue.enqueue("t", null);
    expect(await queue.cancel(id)).toBe(true);
    expect((await queue.get(id))?.state).toBe("cancelled");
    expect(await queue.claim()).toBeNull();
    expect(await queue.cancel(id)).toBe(false);
    await expect(queue.cancel("missing")).rejects.toBeInstanceOf(JobNotFoundError);
  });

  it("cancels an active job from another queue object; the holder's writes then fail", async () => {
    const harness = h();
    const { queue, open } = harness;
    const id = await queue.enqueue("t", null);
    const job = await claimOne(harness);
    expect(await open().cancel(id)).toBe(true);
    expect(await queue.update(job, { progress: 0.5 })).toBe(false);
    expect(await queue.complete(job, "late")).toBe(false);
    expect(await queue.get(id)).toMatchObject({ state: "cancelled", result: null, progress: 0 });
    expect((await queue.readEvents(id)).at(-1)?.type).toBe("cancelled");
  });

  it("expires finished jobs and their events after retention", async () => {
    const harness = h();
    const { clock } = harness;
    const queue = harness.open({ retention: { completedMs: 10_000, cancelledMs: 5_000 } });
    const done = await queue.enqueue("t", null);
    const cancelled = await queue.enqueue("t", null);
    const job = await queue.claim();
    await queue.complete(job as Job, "ok");
    await queue.cancel(cancelled);
    await clock.advance(5_000);
    expect(await queue.get(cancelled)).toBeNull();
    expect(await queue.get(done)).not.toBeNull();
    await clock.advance(5_000);
    expect(await queue.get(done)).toBeNull();
    expect(await queue.readEvents(done)).toEqual([]);
    expect(await queue.stats()).toMatchObject({ completed: 0, cancelled: 0 });
    expect((await queue.list()).jobs).toEqual([]);
  });
}
