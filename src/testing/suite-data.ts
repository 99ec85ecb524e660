import { expect, it } from "vitest";
import type { Job } from "../job.js";
import type { Harness } from "./harness.js";

/** Event logs, payload fidelity, listing, stats and purge. */
export function dataSuite(h: () => Harness): void {
  it("logs every change with gap-free sequence numbers, resumable from any cursor", async () => {
    const { queue, clock } = h();
    const id = await queue.enqueue("t", null);
    const job = (await queue.claim()) as Job;
    for (let i = 1; i <= 5; i++) {
      await clock.advance(1);
      expect(await queue.update(job, { progress: i / 10, message: `step ${i}`, data: { i } })).toBe(
        true,
      );
    }
    await queue.complete(job, { done: true });
    const events = await queue.readEvents(id);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(events.map((e) => e.type)).toEqual([
      "enqueued",
      "active",
      "progress",
      "progress",
      "progress",
      "progress",
      "progress",
      "completed",
    ]);
    expect(events[4]).toMatchObject({
      progress: 0.3,
      message: "step 3",
      data: { i: 3 },
      state: "active",
    });
    expect(events[7]).toMatchObject({ state: "completed", result: { done: true }, attempt: 1 });
    for (let after = 0; after <= 8; after++) {
      expect((await queue.readEvents(id, { after })).map((e) => e.seq)).toEqual(
        events.slice(after).map((e) => e.seq),
      );
    }
    expect((await queue.readEvents(id, { after: 2, limit: 3 })).map((e) => e.seq)).toEqual([
      3, 4, 5,
    ]);
    expect((await queue.get(id))?.seq).toBe(8);
  });

  it("keeps events of different jobs apart", async () => {
    const { queue } = h();
    const a = await queue.enqueue("t", "a");
    const b = await queue.enqueue("t", "b");
    const [first] = await queue.claimMany(1);
    await queue.complete(first as Job, "ra");
    expect((await queue.readEvents(a)).map((e) => e.type)).toEqual([
      "enqueued",
      "active",
      "completed",
    ]);
    expect((await queue.readEvents(b)).map((e) => e.type)).toEqual(["enqueued"]);
  });

  it("round-trips payloads and results exactly (unicode, JSON-looking strings, 1.2 MB or the limit)", async () => {
    const { queue, backend } = h();
    const tricky = {
      text: "héllo wörld — 日本語 — עברית — 🧵🚀",
      numberLike: "1",
      jsonLike: '{"a":1}',
      base64Like: "dGVzdA==",
      ok: "OK",
      nul: "a\u0000b",
      nested: [1, 2.5, -0.125, true, null, { deep: ["x"] }],
    };
    // 1.2 MB of UTF-8 (6 bytes a repeat), or as much as the backend's limit takes (D1's is less).
    const repeats = Math.min(200_000, Math.floor((backend.capabilities.maxPayloadBytes - 2) / 6));
    const big = "ü🧵".repeat(repeats);
    for (const payload of [tricky, big, "PONG", 42, null]) {
      const id = await queue.enqueue("t", payload);
      const job = (await queue.claim()) as Job;
      expect(job.id).toBe(id);
      expect(job.payload).toEqual(payload);
      await queue.complete(job, payload);
      expect((await queue.get(id))?.result).toEqual(payload);
    }
  });

  it("lists by state in insertion order, a page at a time, and counts states", async () => {
    const { queue } = h();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await queue.enqueue("t", i));
    const [a, b] = await queue.claimMany(2);
    await queue.complete(a as Job, null);
    await queue.cancel(ids[6] as string);
    expect(b?.id).toBe(ids[1]);
    expect(await queue.stats()).toEqual({
      queued: 4,
      active: 1,
      completed: 1,
      failed: 0,
      cancelled: 1,
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await queue.list({ limit: 3, cursor });
      expect(page.jobs.length).toBeLessThanOrEqual(3);
      seen.push(...page.jobs.map((job) => job.id));
      cursor = page.cursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    expect((await queue.list({ state: "queued" })).jobs.map((j) => j.id)).toEqual(ids.slice(2, 6));
    expect((await queue.list({ state: "active" })).jobs[0]?.id).toBe(ids[1]);
  });

  it("purges by state, and everything", async () => {
    const { queue } = h();
    const done = await queue.enqueue("t", null);
    await queue.enqueue("t", null);
    await queue.complete((await queue.claim()) as Job, null);
    expect(await queue.purge(["completed"])).toBe(1);
    expect(await queue.get(done)).toBeNull();
    expect(await queue.readEvents(done)).toEqual([]);
    expect(await queue.purge()).toBe(1);
    expect(await queue.stats()).toEqual({
      queued: 0,
      active: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
    });
  });
}
