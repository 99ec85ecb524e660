import { describe, expect, it } from "vitest";
import { JobQueue, QueueClosedError, ValidationError } from "../../src/index.js";
import { backoffDelay, resolveBackoff } from "../../src/internal/backoff.js";
import { memoryQueue } from "../support/memory-queue.js";

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
  ];
  for (const [field, args] of bad) {
    it(`rejects a bad ${field} and stores nothing`, async () => {
      const { queue } = memoryQueue({ maxPayloadBytes: 1_000 });
      const [type, payload, options] = args();
      const error = await queue.enqueue(type, payload, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
      expect((await queue.stats()).queued).toBe(0);
    });
  }

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
