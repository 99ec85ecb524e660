import { describe, expect, it } from "vitest";
import { JobQueue, QueueClosedError, ValidationError } from "../../src/index.js";
import { backoffDelay, resolveBackoff } from "../../src/internal/backoff.js";
import { MAX_JSON_DEPTH } from "../../src/internal/json.js";
import { memoryQueue } from "../support/memory-queue.js";

/** `[[[…]]]`, `depth` levels deep. */
const nested = (depth: number): unknown => {
  let value: unknown = "leaf";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};
const cyclic = () => {
  const value: Record<string, unknown> = { secretName: 1 };
  value.self = value;
  return value;
};

describe("enqueue validation", () => {
  const bad: Array<[string, () => [string, unknown, object?]]> = [
    ["type", () => ["", null]],
    ["priority", () => ["t", null, { priority: 2_000_000 }]],
    ["maxAttempts", () => ["t", null, { maxAttempts: 0 }]],
    ["delayMs", () => ["t", null, { delayMs: -1 }]],
    ["runAt", () => ["t", null, { delayMs: 1, runAt: 5 }]],
    ["idempotencyKey", () => ["t", null, { idempotencyKey: "" }]],
    ["payload", () => ["t", { n: 1n }]],
    ["payload", () => ["t", "x".repeat(1_001)]],
    ["backoff.jitter", () => ["t", null, { backoff: { jitter: 2 } }]],
    ["backoff.jitter", () => ["t", null, { backoff: { jitter: [0.5] } }]],
    ["backoff", () => ["t", null, { backoff: "fast" }]],
    ["payload", () => ["t", nested(MAX_JSON_DEPTH + 1)]],
    ["payload", () => ["t", nested(5_000)]],
    ["payload", () => ["t", cyclic()]],
  ];
  for (const [field, args] of bad) {
    it(`rejects a bad ${field} and stores nothing`, async () => {
      const { queue } = memoryQueue({ maxPayloadBytes: 1_000 });
      const [type, payload, options] = args();
      const error = await queue.enqueue(type, payload, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
      expect((error as ValidationError).message).not.toMatch(/secretName|leaf/);
      expect((await queue.stats()).queued).toBe(0);
    });
  }

  it("accepts JSON nested exactly MAX_JSON_DEPTH levels, and ignores unknown backoff fields", async () => {
    const { queue } = memoryQueue();
    const id = await queue.enqueue("t", nested(MAX_JSON_DEPTH), {
      backoff: { delayMs: 5, deep: nested(10_000) } as never,
    });
    expect((await queue.get(id))?.payload).toEqual(nested(MAX_JSON_DEPTH));
  });

  it("refuses a whole batch when one item nests too deeply (in its backoff too)", async () => {
    const { queue } = memoryQueue();
    const items = [
      { type: "t", payload: 1 },
      { type: "t", payload: 2, options: { backoff: { delayMs: nested(5_000) } as never } },
    ];
    await expect(queue.enqueueMany(items)).rejects.toMatchObject({ code: "VALIDATION" });
    await expect(
      queue.enqueueMany([
        { type: "t", payload: 1 },
        { type: "t", payload: nested(5_000) },
      ]),
    ).rejects.toMatchObject({ code: "VALIDATION", field: "payload" });
    expect((await queue.stats()).queued).toBe(0);
  });

  it("rejects bad queue options at construction, with no I/O", () => {
    const { backend } = memoryQueue();
    expect(() => new JobQueue({ backend, name: "has space" })).toThrow(ValidationError);
    expect(() => new JobQueue({ backend, leaseMs: 0 })).toThrow(/leaseMs/);
  });

  it("refuses work after close()", async () => {
    const { queue } = memoryQueue();
    await queue.close();
    await expect(queue.enqueue("t", null)).rejects.toBeInstanceOf(QueueClosedError);
  });
});

describe("backoff", () => {
  it("doubles from delayMs, caps at maxDelayMs, and jitters within its share", () => {
    const policy = resolveBackoff({ delayMs: 1_000, maxDelayMs: 5_000, jitter: 0 });
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
    const fixed = resolveBackoff({ type: "fixed", delayMs: 300, jitter: 0 });
    expect(backoffDelay(fixed, 7)).toBe(300);
    const jittered = resolveBackoff({ delayMs: 1_000, jitter: 0.5 });
    expect(backoffDelay(jittered, 1, () => 0)).toBe(500);
    expect(backoffDelay(jittered, 1, () => 0.999999)).toBe(1_000);
  });
});
