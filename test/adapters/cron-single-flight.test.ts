/** One worker's drains never run more jobs at once than its concurrency, however many crons call. */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { queueRoutes } from "../../adapters/hono.js";
import { sharedDrain } from "../../adapters/http/shared-drain.js";
import { Worker } from "../../src/index.js";
import { memoryQueue, until } from "../support/memory-queue.js";
import { ADMIN, CRON } from "../support/routes-app.js";

describe("/cron single-flight", () => {
  it("concurrent calls share the running drain", async () => {
    const { queue } = memoryQueue();
    let running = 0;
    let most = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const worker = new Worker(queue, { concurrency: 2 }).handler("slow", async () => {
      running += 1;
      most = Math.max(most, running);
      await gate;
      running -= 1;
    });
    for (let i = 0; i < 8; i++) await queue.enqueue("slow", {});
    const app = new Hono().route(
      "/q",
      queueRoutes(queue, { auth: { tokens: [ADMIN] }, worker, cronSecret: CRON }),
    );
    const calls = Array.from({ length: 5 }, () =>
      app.request("/q/cron", { headers: { authorization: `Bearer ${CRON}` } }),
    );
    await until(() => running >= 2, "two jobs running");
    // Let every call reach its claims before the jobs may end.
    for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
    open();
    const answers = await Promise.all(calls);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(most).toBe(2);
    expect((await queue.stats()).completed).toBe(8);
  });

  it("a call during a kick's limited drain waits for it, then drains the rest", async () => {
    const { queue } = memoryQueue();
    let running = 0;
    let most = 0;
    const gates: Array<() => void> = [];
    const worker = new Worker(queue, { concurrency: 2 }).handler("slow", async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => gates.push(resolve));
      running -= 1;
    });
    for (let i = 0; i < 5; i++) await queue.enqueue("slow", {});
    const app = new Hono().route(
      "/q",
      queueRoutes(queue, { auth: { tokens: [ADMIN] }, worker, cronSecret: CRON }),
    );
    const kick = sharedDrain(worker, { budgetMs: 20_000, maxJobs: 1 });
    await until(() => running === 1, "the kick's job running");
    const cron = app.request("/q/cron", { headers: { authorization: `Bearer ${CRON}` } });
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(running).toBe(1); // the cron waits behind the kick
    while ((await queue.stats()).completed < 5) {
      gates.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await kick).claimed).toBe(1);
    expect((await (await cron).json()).claimed).toBe(4);
    expect(most).toBe(2);
  });

  it("needs a cronSecret of 16+ characters", () => {
    const { queue } = memoryQueue();
    const worker = new Worker(queue);
    const auth = { tokens: [ADMIN] };
    expect(() => queueRoutes(queue, { auth, worker, cronSecret: "x" })).toThrow(/^cronSecret/);
    expect(() =>
      queueRoutes(queue, { auth, worker, cronSecret: "0123456789abcdef" }),
    ).not.toThrow();
  });
});
