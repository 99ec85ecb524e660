/** Every numeric option is checked at startup, with a ValidationError naming it. */
import { describe, expect, it } from "vitest";
import { cloudflareWorker } from "../../adapters/cloudflare.js";
import { type QueueRoutesOptions, queueRoutes } from "../../adapters/hono.js";
import { vercelHandlers } from "../../adapters/vercel.js";
import { ValidationError, Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";
import { ADMIN } from "../support/routes-app.js";

const auth = { tokens: [ADMIN] };

describe("queueRoutes numeric options", () => {
  const bad: Array<[string, Partial<QueueRoutesOptions>]> = [
    ["streamTokenTtlMs", { streamTokenTtlMs: "3600000" as unknown as number }],
    ["streamTokenTtlMs", { streamTokenTtlMs: Number.NaN }],
    ["streamTokenTtlMs", { streamTokenTtlMs: 1e15 }],
    ["sse.heartbeatMs", { sse: { heartbeatMs: 0 } }],
    ["sse.maxStreamMs", { sse: { maxStreamMs: -1 } }],
    ["sse.retryMs", { sse: { retryMs: 1.5 } }],
    ["sse.pollMs.min", { sse: { pollMs: { min: 0 } } }],
    ["sse.pollMs.max", { sse: { pollMs: { min: 500, max: 100 } } }],
    ["sse.maxStorePolls", { sse: { maxStorePolls: 0 } }],
    ["maxBodyBytes", { maxBodyBytes: Number.POSITIVE_INFINITY }],
    ["budgetMs", { budgetMs: 0 }],
    ["waitMs.max", { waitMs: { max: -5 } }],
    ["waitMs.default", { waitMs: { default: 30_000, max: 25_000 } }],
    ["streams.max", { streams: { max: 0 } }],
    ["streams.maxPerJob", { streams: { max: 10, maxPerJob: 11 } }],
    ["streams.share", { streams: { share: "yes" as unknown as boolean } }],
    ["exposeErrors", { exposeErrors: 1 as unknown as boolean }],
  ];
  for (const [option, options] of bad) {
    it(`refuses a bad ${option}: ${JSON.stringify(options)}`, () => {
      const { queue } = memoryQueue();
      let error: unknown;
      try {
        queueRoutes(queue, { auth, ...options });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message.startsWith(option)).toBe(true);
    });
  }

  it("accepts the defaults and sensible values", () => {
    const { queue } = memoryQueue();
    expect(() =>
      queueRoutes(queue, {
        auth,
        streamTokenTtlMs: 60_000,
        sse: { heartbeatMs: 15_000, pollMs: { min: 50, max: 1_000 }, maxStorePolls: 40 },
        waitMs: { default: 10_000 },
        streams: { max: 50, maxPerJob: 5, share: false },
      }),
    ).not.toThrow();
  });
});

describe("adapters' numeric options", () => {
  it("vercelHandlers checks budgetMs and runtime", () => {
    const { queue } = memoryQueue();
    const routes = { auth };
    expect(() => vercelHandlers({ queue, routes, budgetMs: Number.NaN })).toThrow(/^budgetMs/);
    expect(() => vercelHandlers({ queue, routes, runtime: "bun" as "edge" })).toThrow(/^runtime/);
    // A lower max alone is fine: the runtime's default wait follows it.
    expect(() => vercelHandlers({ queue, routes: { auth, waitMs: { max: 5_000 } } })).not.toThrow();
    expect(() =>
      vercelHandlers({ queue, routes: { auth, waitMs: { max: "5000" as unknown as number } } }),
    ).toThrow(/^waitMs\.max/);
  });

  it("cloudflareWorker checks budgetMs and kick.budgetMs on the first request", async () => {
    const { queue } = memoryQueue();
    const ctx = { waitUntil: () => {} };
    for (const settings of [{ budgetMs: "25000" }, { kick: { budgetMs: 0 } }]) {
      const handlers = cloudflareWorker({
        setup: () => ({
          queue,
          worker: new Worker(queue),
          routes: { auth },
          ...(settings as object),
        }),
      });
      await expect(handlers.fetch(new Request("http://w/queue/stats"), {}, ctx)).rejects.toThrow(
        /budgetMs must be/,
      );
    }
  });
});
