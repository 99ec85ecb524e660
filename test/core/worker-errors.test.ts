import { afterEach, describe, expect, it, vi } from "vitest";
import type { Backend } from "../../src/backend.js";
import { BackendUnavailableError, JobQueue, ManualClock, Worker } from "../../src/index.js";
import { rateLimitedConsole } from "../../src/internal/error-log.js";
import { memoryQueue } from "../support/memory-queue.js";

/** The same backend, with `claim` failing while `down.value` is true. */
function flaky(backend: Backend, down: { value: boolean }): Backend {
  return new Proxy(backend, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key !== "claim" || typeof value !== "function") return value;
      return (...args: unknown[]) =>
        down.value
          ? Promise.reject(new BackendUnavailableError("libsql(memory): the store is unreachable"))
          : value.apply(target, args);
    },
  });
}

afterEach(() => vi.restoreAllMocks());

describe("worker error reporting", () => {
  it("says by default, once a minute per code and operation, that its store is down", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "error").mockImplementation((line: string) => void lines.push(line));
    const down = { value: true };
    const { queue, clock } = memoryQueue();
    const broken = new JobQueue({
      backend: flaky(queue.backend, down),
      clock,
      name: queue.name,
    });
    const worker = new Worker(broken, { idleMs: { min: 1_000, max: 1_000 } });
    worker.start();
    for (let i = 0; i < 30; i++) {
      await clock.untilSleeping(1);
      await clock.advance(1_000); // 30 failed claims over 30 s
    }
    expect(lines).toEqual([
      "jdobb-async-queue: BACKEND_UNAVAILABLE in claim: libsql(memory): the store is unreachable",
    ]);
    for (let i = 0; i < 31; i++) {
      await clock.untilSleeping(1);
      await clock.advance(1_000);
    }
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /BACKEND_UNAVAILABLE in claim: .* \[\d+ more since the last report\]$/,
    );
    down.value = false;
    await worker.stop();
  });

  it("hands errors to onError instead, with the operation and job id", async () => {
    const { queue } = memoryQueue();
    const seen: Array<[string, unknown]> = [];
    const id = await queue.enqueue("t", null);
    const worker = new Worker(queue, {
      onError: (error, context) => seen.push([(error as { code?: string }).code ?? "", context]),
    }).handler("t", async () => {
      queue.backend.complete = () => Promise.reject(new BackendUnavailableError("down"));
      queue.backend.completeAndClaim = undefined;
      return "done";
    });
    const summary = await worker.drain({ budgetMs: 10_000, maxJobs: 1 });
    expect(summary).toMatchObject({ claimed: 1, lost: 1 });
    expect(seen).toEqual([["BACKEND_UNAVAILABLE", { operation: "complete", jobId: id }]]);
  });

  it("prints nothing but code, operation, job id and our own message (no payloads)", () => {
    const lines: string[] = [];
    const log = rateLimitedConsole(new ManualClock(), 60_000, (line) => lines.push(line));
    const leaky = Object.assign(new Error("payload {secret} in message"), { command: "secret" });
    log(leaky, { operation: "fail", jobId: "j1" });
    expect(lines).toEqual(["jdobb-async-queue: INTERNAL in fail (job j1): Error"]);
  });

  it("warns once when a handler's timeoutMs can never fit the drain's budget", async () => {
    const warnings: string[] = [];
    vi.spyOn(console, "warn").mockImplementation((line: string) => void warnings.push(line));
    const { queue } = memoryQueue();
    await queue.enqueue("resize", null);
    const worker = new Worker(queue)
      .handler("resize", () => "ok", { timeoutMs: 20_000 })
      .handler("quick", () => "ok", { timeoutMs: 1_000 });
    expect(await worker.drain({ budgetMs: 8_000 })).toMatchObject({ claimed: 0 });
    await worker.drain({ budgetMs: 8_000 });
    expect(warnings).toEqual([
      'jdobb-async-queue worker: jobs of type "resize" never start in a drain with budgetMs 8000: ' +
        "the handler's timeoutMs is 20000. Lower timeoutMs or raise budgetMs.",
    ]);
    expect(await worker.drain({ budgetMs: 25_000 })).toMatchObject({ completed: 1 });
    expect(warnings).toHaveLength(1);
  });
});
