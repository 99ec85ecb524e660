/**
 * D1's size limits: the payload limit the backend declares (a job's row holding a payload,
 * progress data and a result of that size each fits D1's row), D1's own limit when a queue
 * raises it, and the largest batches the core sends.
 */
import { describe, expect, it } from "vitest";
import { D1_MAX_PAYLOAD_BYTES } from "../../src/backends/d1/index.js";
import { newToken } from "../../src/internal/ids.js";
import type { Job } from "../../src/job.js";
import { useD1Backend } from "../support/miniflare-d1.js";

const { clock, backend, newQueue, claimOf } = useD1Backend();
/** A JSON string value whose encoding is exactly `bytes` bytes (its two quotes included). */
const jsonOf = (bytes: number) => "x".repeat(bytes - 2);
const nothingStored = { queued: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };

describe("D1 limits", () => {
  it("stores a payload, progress data and a result of exactly the limit on one job", async () => {
    const queue = newQueue();
    const atLimit = jsonOf(D1_MAX_PAYLOAD_BYTES);
    const id = await queue.enqueue("t", atLimit);
    const job = (await queue.claim()) as Job;
    expect(job.payload).toBe(atLimit);
    expect(await queue.update(job, { progress: 0.5, message: "half", data: atLimit })).toBe(true);
    expect(await queue.complete(job, atLimit)).toBe(true);
    const stored = await queue.get(id);
    expect(stored).toMatchObject({ state: "completed", payload: atLimit, data: atLimit });
    expect(stored?.result).toBe(atLimit);
    const events = await queue.readEvents(id);
    expect(events.map((e) => e.type)).toEqual(["enqueued", "active", "progress", "completed"]);
    expect(events.at(-1)?.result).toBe(atLimit);
  });

  it("refuses one byte over the limit with VALIDATION before anything is stored", async () => {
    const queue = newQueue();
    const over = jsonOf(D1_MAX_PAYLOAD_BYTES + 1);
    await expect(queue.enqueue("t", over)).rejects.toMatchObject({
      code: "VALIDATION",
      field: "payload",
    });
    expect(await queue.stats()).toEqual(nothingStored);
    const id = await queue.enqueue("t", 1);
    const job = (await queue.claim()) as Job;
    await expect(queue.update(job, { data: over })).rejects.toMatchObject({
      code: "VALIDATION",
      field: "data",
    });
    await expect(queue.complete(job, over)).rejects.toMatchObject({
      code: "VALIDATION",
      field: "result",
    });
    expect((await queue.get(id))?.state).toBe("active");
    expect((await queue.readEvents(id)).map((e) => e.type)).toEqual(["enqueued", "active"]);
  });

  it("a row D1 finds too big (the queue's limit raised) is a BackendError; nothing stored", async () => {
    const queue = newQueue({ maxPayloadBytes: 3_000_000 });
    const huge = jsonOf(2_300_000); // over D1's row limit (2,200,000 bytes in miniflare)
    const error = await queue.enqueue("t", huge).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BACKEND_ERROR" });
    expect((error as Error).message).toMatch(/SQLITE_TOOBIG/);
    expect((error as Error).message.length).toBeLessThan(300);
    expect(await queue.stats()).toEqual(nothingStored);

    const id = await queue.enqueue("t", 1);
    const job = (await queue.claim()) as Job;
    await expect(queue.update(job, { data: huge })).rejects.toMatchObject({
      code: "BACKEND_ERROR",
    });
    await expect(queue.complete(job, huge)).rejects.toMatchObject({ code: "BACKEND_ERROR" });
    expect(await queue.get(id)).toMatchObject({ state: "active", data: null });
    expect((await queue.readEvents(id)).map((e) => e.type)).toEqual(["enqueued", "active"]);
  });

  it("enqueues the largest batch (1,000 jobs with 512-character keys) and claims it", async () => {
    const queue = newQueue();
    const key = (i: number) => `${String(i).padStart(4, "0")}-${"k".repeat(507)}`;
    const items = Array.from({ length: 1_000 }, (_, i) => ({
      type: "t",
      payload: { i },
      options: { idempotencyKey: key(i) },
    }));
    const results = await queue.enqueueMany(items);
    expect(results.filter((r) => r.created)).toHaveLength(1_000);
    // Sent again: every key is taken, every holder answered.
    const again = await queue.enqueueMany(items);
    expect(again.map((r) => r.id)).toEqual(results.map((r) => r.id));
    expect(again.some((r) => r.created)).toBe(false);
    expect((await queue.claimMany(1_000)).map((job) => job.id)).toEqual(results.map((r) => r.id));
  });

  it("completes a group whose results together exceed D1's row limit", async () => {
    const queue = newQueue();
    const scope = { queue: queue.name, now: clock.now() };
    await queue.enqueueMany(Array.from({ length: 4 }, (_, i) => ({ type: "t", payload: i })));
    const claim = { ...scope, ...claimOf(4) };
    const { jobs } = await backend().claim(claim);
    const result = JSON.stringify(jsonOf(D1_MAX_PAYLOAD_BYTES));
    // The first member's small result goes in the group's statement, the others on their own;
    // the last member's lease is not ours (a stale token): its completion is fenced.
    const items = jobs.map((job, i) => ({
      id: job.id,
      token: i === 3 ? newToken() : claim.token,
      result: i === 0 ? '"small"' : result,
      expiresAt: scope.now + 60_000,
      next: claimOf(1),
    }));
    const outcomes = await backend().completeAndClaimMany({ ...scope, items });
    expect(outcomes.map((o) => o.completed)).toEqual([true, true, true, false]);
    expect(await queue.stats()).toMatchObject({ active: 1, completed: 3 });
    expect((await queue.get(jobs[0]?.id as string))?.result).toBe("small");
    expect((await queue.get(jobs[1]?.id as string))?.result).toBe(jsonOf(D1_MAX_PAYLOAD_BYTES));
  });
});
