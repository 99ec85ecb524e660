import { describe, expect, it, vi } from "vitest";
import { Broadcaster, type Job, JobNotFoundError, type JobUpdate } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";

async function collect(iterable: AsyncIterable<JobUpdate>): Promise<JobUpdate[]> {
  const out: JobUpdate[] = [];
  for await (const update of iterable) out.push(update);
  return out;
}

describe("Broadcaster", () => {
  it("yields a snapshot, then every update in order, and ends after the terminal one", async () => {
    const { queue } = memoryQueue({ progressIntervalMs: 0 });
    const id = await queue.enqueue("t", null);
    const updates = collect(new Broadcaster(queue).subscribe(id));
    const job = (await queue.claim()) as Job;
    await queue.update(job, { progress: 0.5, message: "half" });
    await queue.complete(job, { ok: 1 });
    const got = await updates; // same-process writes wake it: no clock movement needed
    expect(got.map((u) => [u.seq, u.type])).toEqual([
      [1, "snapshot"],
      [2, "active"],
      [3, "progress"],
      [4, "completed"],
    ]);
    expect(got.at(-1)).toMatchObject({ state: "completed", result: { ok: 1 }, progress: 1 });
  });

  it("reads on the store's notices when it pushes: no clock movement, one watch per job", async () => {
    const { queue, clock, peer, calls } = memoryQueue({ push: true, progressIntervalMs: 0 });
    const id = await queue.enqueue("t", null);
    const broadcaster = new Broadcaster(queue, { pollMs: { min: 100, max: 100 } });
    const streams = [collect(broadcaster.subscribe(id)), collect(broadcaster.subscribe(id))];
    await clock.untilSleeping(2);
    const other = peer(); // another process: its writes reach us only through the store
    const job = (await other.claim()) as Job;
    await other.update(job, { progress: 0.5 });
    await other.complete(job, null);
    for (const updates of await Promise.all(streams)) {
      expect(updates.map((u) => u.type)).toEqual(["snapshot", "active", "progress", "completed"]);
    }
    expect(calls.get("watch")).toBe(1);
  });

  it("gives each subscriber its own watch when asked not to share (Workers' requests)", async () => {
    const { queue, clock, peer, calls } = memoryQueue({ push: true, progressIntervalMs: 0 });
    const id = await queue.enqueue("t", null);
    const broadcaster = new Broadcaster(queue, { pollMs: { min: 100, max: 100 } });
    const own = { sharedWatch: false };
    const streams = [broadcaster.subscribe(id, own), broadcaster.subscribe(id, own)].map(collect);
    await clock.untilSleeping(2);
    const other = peer();
    const job = (await other.claim()) as Job;
    await other.complete(job, null);
    for (const updates of await Promise.all(streams)) {
      expect(updates.map((u) => u.type)).toEqual(["snapshot", "active", "completed"]);
    }
    expect(calls.get("watch")).toBe(2);
  });

  it("polls with one warning when the store fails to push", async () => {
    const { queue, clock, peer, backend } = memoryQueue({ push: true });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    backend.watch = () => Promise.reject(new Error("NOPERM"));
    const id = await queue.enqueue("t", null);
    const updates = collect(
      new Broadcaster(queue, { pollMs: { min: 100, max: 100 } }).subscribe(id),
    );
    await clock.untilSleeping(1);
    await peer().cancel(id);
    await clock.advance(100);
    expect((await updates).map((u) => u.type)).toEqual(["snapshot", "cancelled"]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain("PUSH_UNAVAILABLE");
    warn.mockRestore();
  });

  it("sees writes from other processes by polling with backoff", async () => {
    const { queue, clock, peer } = memoryQueue();
    const id = await queue.enqueue("t", null);
    const updates = collect(
      new Broadcaster(queue, { pollMs: { min: 100, max: 1_000 } }).subscribe(id),
    );
    const other = peer();
    await clock.untilSleeping(1);
    await other.cancel(id);
    await clock.advance(100);
    expect((await updates).map((u) => u.type)).toEqual(["snapshot", "cancelled"]);
  });

  it("resumes after a cursor with no gap and no duplicate", async () => {
    const { queue } = memoryQueue({ progressIntervalMs: 0 });
    const id = await queue.enqueue("t", null);
    const job = (await queue.claim()) as Job;
    for (const p of [0.25, 0.5, 0.75]) await queue.update(job, { progress: p });
    await queue.complete(job, null);
    const broadcaster = new Broadcaster(queue);
    expect((await collect(broadcaster.subscribe(id, { after: 3 }))).map((u) => u.seq)).toEqual([
      4, 5, 6,
    ]);
    expect(await collect(broadcaster.subscribe(id, { after: 6 }))).toEqual([]);
    const snapshotOnly = await collect(broadcaster.subscribe(id));
    expect(snapshotOnly.map((u) => [u.type, u.seq])).toEqual([["snapshot", 6]]);
  });

  it("continues through retries and ends only at the final state", async () => {
    const { queue, clock } = memoryQueue();
    const id = await queue.enqueue("t", null, { maxAttempts: 2, backoff: { delayMs: 10 } });
    const updates = collect(new Broadcaster(queue).subscribe(id));
    await queue.fail((await queue.claim()) as Job, new Error("first"));
    await clock.advance(10);
    await queue.fail((await queue.claim()) as Job, new Error("second"));
    expect((await updates).map((u) => u.type)).toEqual([
      "snapshot",
      "active",
      "retry-scheduled",
      "active",
      "failed",
    ]);
  });

  it("throws JobNotFoundError for an unknown job, and stops on abort", async () => {
    const { queue, clock } = memoryQueue();
    await expect(collect(new Broadcaster(queue).subscribe("nope"))).rejects.toBeInstanceOf(
      JobNotFoundError,
    );
    const id = await queue.enqueue("t", null);
    const stop = new AbortController();
    const updates = collect(new Broadcaster(queue).subscribe(id, { signal: stop.signal }));
    await clock.untilSleeping(1);
    stop.abort();
    expect((await updates).map((u) => u.type)).toEqual(["snapshot"]);
  });
});

describe("Broadcaster.waitFor", () => {
  it("resolves with the finished job, or with the job as it stands when the wait runs out", async () => {
    const { queue, clock, peer } = memoryQueue();
    const id = await queue.enqueue("t", null);
    const broadcaster = new Broadcaster(queue);
    const pending = broadcaster.waitFor(id, { timeoutMs: 1_000 });
    await clock.untilSleeping(2); // the timeout and the poll
    await clock.advance(1_000);
    expect((await pending).state).toBe("queued");

    let finished: Job | null = null;
    const waiting = broadcaster.waitFor(id, { timeoutMs: 60_000 }).then((job) => {
      finished = job;
    });
    const other = peer(); // completes from "another process": found by polling
    await other.complete((await other.claim()) as Job, { done: true });
    for (let i = 0; i < 100 && finished === null; i++) await clock.advance(100);
    await waiting;
    expect(finished).toMatchObject({ state: "completed", result: { done: true } });
    expect(clock.now() - Date.UTC(2026, 0, 1)).toBeLessThan(60_000); // well before the timeout
    await expect(broadcaster.waitFor("nope", { timeoutMs: 10 })).rejects.toBeInstanceOf(
      JobNotFoundError,
    );
  });
});

describe("Broadcaster on a job that disappears", () => {
  it("ends with JobNotFoundError when the job is purged while it is followed", async () => {
    const { queue, clock, peer } = memoryQueue();
    const id = await queue.enqueue("t", null);
    const seen: string[] = [];
    const following = (async () => {
      for await (const update of new Broadcaster(queue, {
        pollMs: { min: 100, max: 100 },
      }).subscribe(id)) {
        seen.push(update.type);
      }
    })();
    await clock.untilSleeping(1);
    await peer().purge(); // another process deletes the job; no event will ever come
    let error: unknown = null;
    following.catch((e: unknown) => {
      error = e;
    });
    // Polled every 100 ms, or (the store pushes) read at the 20 s safety poll.
    for (let i = 0; i < 50 && error === null; i++) await clock.advance(1_000);
    expect(error).toBeInstanceOf(JobNotFoundError);
    expect(seen).toEqual(["snapshot"]);
  });
});
