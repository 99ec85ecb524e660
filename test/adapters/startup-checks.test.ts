/** Misconfiguration (an unset secret, usually) fails at startup with a message naming the option. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CloudflareWorker, cloudflareWorker } from "../../adapters/cloudflare.js";
import { queueRoutes } from "../../adapters/hono.js";
import { vercelHandlers } from "../../adapters/vercel.js";
import { Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";
import { ADMIN } from "../support/routes-app.js";

const unset = process.env.JDOBB_SURELY_UNSET_VARIABLE;

// The example's stores import the Durable Object entry, whose class extends the Workers
// runtime's: a stand-in here (workerd runs the real one in test/runtimes).
vi.mock("cloudflare:workers", () => ({ DurableObject: class {}, WorkerEntrypoint: class {} }));

describe("startup checks", () => {
  it("queueRoutes refuses undefined or empty tokens and empty secrets, naming the option", () => {
    const { queue } = memoryQueue();
    expect(() => queueRoutes(queue, { auth: { tokens: [unset] } })).toThrow(/^auth\.tokens\[0\]/);
    expect(() => queueRoutes(queue, { auth: { tokens: [ADMIN, ""] } })).toThrow(
      /^auth\.tokens\[1\] must be a string of at least 16/,
    );
    const auth = { tokens: [ADMIN] };
    expect(() => queueRoutes(queue, { auth, streamSecret: "" })).toThrow(/^streamSecret/);
    const worker = new Worker(queue);
    expect(() => queueRoutes(queue, { auth, worker, cronSecret: "" })).toThrow(/^cronSecret/);
    // Undefined secrets mean "off", as when `process.env.X` is not set.
    expect(() =>
      queueRoutes(queue, { auth, streamSecret: unset, cronSecret: unset }),
    ).not.toThrow();
  });

  it("vercelHandlers refuses them when built", () => {
    const { queue } = memoryQueue();
    const routes = { auth: { tokens: [ADMIN] } };
    expect(() => vercelHandlers({ queue, routes: { auth: { tokens: [unset] } } })).toThrow(
      /auth\.tokens\[0\]/,
    );
    expect(() => vercelHandlers({ queue, routes, cronSecret: "" })).toThrow(/^cronSecret/);
    expect(() => vercelHandlers({ queue, routes, cronSecret: unset })).not.toThrow();
  });

  it("cloudflareWorker refuses them on the first request, before answering it", async () => {
    const { queue } = memoryQueue();
    const handlers = cloudflareWorker<{ API_TOKEN?: string }>({
      setup: (env) => ({
        queue,
        worker: new Worker(queue),
        routes: { auth: { tokens: [env.API_TOKEN] } },
      }),
    });
    const ctx = { waitUntil: () => {} };
    const request = new Request("http://worker/queue/stats");
    await expect(handlers.fetch(request, {}, ctx)).rejects.toThrow(/auth\.tokens\[0\]/);
    const ok = await handlers.fetch(request, { API_TOKEN: ADMIN }, ctx);
    expect(ok.status).toBe(401);
  });
});

describe("the examples", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it("name the missing environment variable or binding (Workers)", async () => {
    // Not literals: the examples are type-checked with their own tsconfig, not this one.
    // (worker.ts itself imports `cloudflare:workers`, which only workerd has: see test/runtimes.)
    const worker = "../../examples/cloudflare/queue-worker.js";
    const stores = "../../examples/cloudflare/stores.js";
    const { exampleWorker } = (await import(worker)) as {
      exampleWorker: (pick: (env: object) => unknown) => CloudflareWorker<object>;
    };
    const { backendFrom } = (await import(stores)) as { backendFrom: (env: object) => unknown };
    const handlers = exampleWorker(backendFrom);
    const ctx = { waitUntil: () => {} };
    const stats = (env: object) => handlers.fetch(new Request("http://w/queue/stats"), env, ctx);
    const turso = { STORE: "turso", LIBSQL_URL: "http://127.0.0.1:9" }; // never reached: no I/O
    await expect(stats(turso)).rejects.toThrow("set the API_TOKEN environment variable");
    await expect(stats({ ...turso, API_TOKEN: ADMIN, STREAM_SECRET: "short" })).rejects.toThrow(
      "set the STREAM_SECRET environment variable",
    );
    // The default store is a Durable Object: without its binding, the error names it.
    await expect(stats({ API_TOKEN: ADMIN })).rejects.toThrow(
      'STORE = "durable-object" needs the QUEUES Durable Object binding',
    );
    await expect(stats({ API_TOKEN: ADMIN, STORE: "mongo" })).rejects.toThrow(
      "STORE must be one of durable-object, d1, upstash, turso",
    );
  });

  it("name the missing environment variable (Vercel)", async () => {
    vi.stubEnv("LIBSQL_URL", "http://127.0.0.1:9");
    vi.stubEnv("API_TOKEN", undefined);
    const route = "../../examples/vercel/app/api/queue/[...path]/route.js";
    await expect(import(route)).rejects.toThrow("set the API_TOKEN environment variable");
    vi.resetModules();
    vi.stubEnv("API_TOKEN", ADMIN);
    vi.stubEnv("CRON_SECRET", "");
    await expect(import(route)).rejects.toThrow("set the CRON_SECRET environment variable");
  });
});

describe("queueRoutes' deprecated jobs option", () => {
  it("fails at startup when the queue has jobs too, or when an entry is not a schema", async () => {
    const { JobQueue } = await import("../../src/index.js");
    const { libsqlBackend } = await import("../../src/backends/libsql/index.js");
    const { queueRoutes } = await import("../../adapters/hono.js");
    const { z } = await import("zod");
    const backend = libsqlBackend({ url: ":memory:" });
    const typed = new JobQueue({ backend, jobs: { t: z.object({}) } });
    expect(() => queueRoutes(typed, { auth: false, jobs: { t: z.object({}) } })).toThrow(
      /give jobs to the queue only/,
    );
    const plain = new JobQueue({ backend });
    expect(() => queueRoutes(plain, { auth: false, jobs: { t: { nope: 1 } as never } })).toThrow(
      /jobs\.t/,
    );
  });
});
