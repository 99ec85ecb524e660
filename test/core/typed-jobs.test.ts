import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidPayloadError, JobQueue, UnknownJobTypeError, Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";

const jobs = {
  resize: z.object({ url: z.string().url(), width: z.number().int().default(100) }),
  report: { payload: z.object({ month: z.string() }), result: z.object({ rows: z.number() }) },
};

/** A queue with job types over a fresh in-memory store, and an untyped view of the same store. */
function typedQueue() {
  const { queue, clock, backend } = memoryQueue();
  const typed = new JobQueue({ backend, clock, name: queue.name, jobs });
  return { typed, untyped: queue, clock };
}

describe("a queue with job types", () => {
  it("refuses unknown types and invalid payloads at enqueue, storing nothing", async () => {
    const { typed } = typedQueue();
    await expect(typed.enqueue("nope" as "resize", {} as never)).rejects.toBeInstanceOf(
      UnknownJobTypeError,
    );
    const invalid = (await typed
      .enqueue("resize", { url: "not a url" })
      .catch((error: unknown) => error)) as InvalidPayloadError;
    expect(invalid).toBeInstanceOf(InvalidPayloadError);
    expect(invalid).toMatchObject({ code: "INVALID_PAYLOAD", field: "payload" });
    expect(invalid.issues[0]?.path).toBe("url");
    const batch = typed.enqueueMany([
      { type: "resize", payload: { url: "https://example.com/a.png" } },
      { type: "report", payload: { month: 11 as never } },
    ]);
    await expect(batch).rejects.toMatchObject({ code: "INVALID_PAYLOAD", item: 1 });
    expect((await typed.stats()).queued).toBe(0);
  });

  it("stores the payload as given and hands the handler the schema's output", async () => {
    const { typed } = typedQueue();
    const id = await typed.enqueue("resize", { url: "https://example.com/a.png" });
    expect((await typed.get(id))?.payload).toEqual({ url: "https://example.com/a.png" });
    const seen: unknown[] = [];
    const worker = new Worker(typed).handler("resize", (ctx) => {
      seen.push(ctx.payload);
      return { width: ctx.payload.width };
    });
    await worker.drain({ budgetMs: 10_000 });
    expect(seen).toEqual([{ url: "https://example.com/a.png", width: 100 }]);
    expect((await typed.get(id))?.result).toEqual({ width: 100 });
  });

  it("fails a job whose stored payload no longer parses, once, without retries", async () => {
    const { typed, untyped } = typedQueue();
    // Enqueued before the schema tightened (here: by a queue object without types).
    const id = await untyped.enqueue("report", { month: 2026 }, { maxAttempts: 5 });
    let ran = false;
    const worker = new Worker(typed).handler("report", () => {
      ran = true;
      return { rows: 1 };
    });
    expect(await worker.drain({ budgetMs: 10_000 })).toMatchObject({ claimed: 1, failed: 1 });
    expect(ran).toBe(false);
    const job = await typed.get(id);
    expect(job).toMatchObject({ state: "failed", attempts: 1 });
    expect(job?.error).toMatchObject({ code: "INVALID_PAYLOAD" });
  });

  it("rejects job definitions that are not schemas at construction", () => {
    const { queue } = memoryQueue();
    const bad = { resize: { notASchema: true } } as never;
    expect(() => new JobQueue({ backend: queue.backend, jobs: bad })).toThrow(/jobs\.resize/);
  });
});

describe("a schema that throws", () => {
  const throwing = {
    parse: z.object({ n: z.number() }).transform((value) => {
      if (value.n < 0) throw new Error("negative: secret detail");
      return value;
    }),
  };

  it("refuses the payload at enqueue as INVALID_PAYLOAD, without repeating what it threw", async () => {
    const { queue } = memoryQueue();
    const typed = new JobQueue({ backend: queue.backend, name: queue.name, jobs: throwing });
    const error = (await typed
      .enqueue("parse", { n: -1 })
      .catch((e: unknown) => e)) as InvalidPayloadError;
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect(JSON.stringify(error.issues)).not.toContain("secret");
    expect((await typed.stats()).queued).toBe(0);
  });

  it("fails a stored payload it throws on, at once and without retries", async () => {
    const { queue, clock } = memoryQueue();
    const typed = new JobQueue({ backend: queue.backend, clock, name: queue.name, jobs: throwing });
    const id = await queue.enqueue("parse", { n: -1 }, { maxAttempts: 5 }); // untyped: stored
    const worker = new Worker(typed).handler("parse", () => "ran");
    expect(await worker.drain({ budgetMs: 10_000 })).toMatchObject({ claimed: 1, failed: 1 });
    expect(await typed.get(id)).toMatchObject({
      state: "failed",
      attempts: 1,
      error: { code: "INVALID_PAYLOAD" },
    });
  });
});
