import { describe, expect, it } from "vitest";
import { Worker } from "../../src/index.js";
import { memoryQueue, until } from "../support/memory-queue.js";

describe("Worker under rate limits", () => {
  it("sleeps until a rate window opens instead of polling, then starts the held jobs", async () => {
    const { queue, clock, calls } = memoryQueue({
      rateLimits: { mail: { limit: 2, windowMs: 60_000 } },
    });
    const next = Math.ceil(clock.now() / 60_000) * 60_000;
    await clock.advance(next - clock.now() + 1_000); // 1 s into a window
    for (let i = 0; i < 3; i++) await queue.enqueue("mail", i);
    const started: number[] = [];
    const worker = new Worker(queue, { idleMs: { min: 100, max: 60_000 } }).handler("mail", () => {
      started.push(clock.now());
    });
    worker.start();
    await until(() => started.length === 2, "two starts");
    // The first claim took one job, the second's completion the other; then an empty claim.
    await until(() => (calls.get("claim") ?? 0) === 2, "the empty claim");
    await clock.untilSleeping(1);
    const claims = calls.get("claim") ?? 0;
    // Asleep until the window opens, 59 s from now: no claim before that.
    await clock.advance(58_999);
    expect(calls.get("claim") ?? 0).toBe(claims);
    await clock.advance(1);
    await until(() => started.length === 3, "the third start");
    expect(started[2]).toBe(next + 60_000);
    await worker.stop();
  });
});
