/**
 * The queue routes on a real HTTP server (`@hono/node-server`, port 0, loopback) over the
 * embedded libSQL `:memory:` backend and real time, for client tests. Job types: `echo`
 * (returns its payload), `steps` (reports `n` progress updates `everyMs` apart), `fail`
 * (always fails, one attempt) and `wait` (runs until cancelled).
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { type QueueRoutesOptions, queueRoutes } from "../../adapters/hono.js";
import { type JobQueueOptions, Worker } from "../../src/index.js";
import { memoryQueue } from "./memory-queue.js";
import { ADMIN, STREAM_SECRET } from "./routes-app.js";

export { ADMIN };

/** The job map of the test server, as a client declares it. */
export type TestJobs = {
  echo: { payload: { text: string }; result: { echoed: { text: string } } };
  steps: { payload: { n: number; everyMs: number }; result: { steps: number } };
  fail: { payload: Record<string, never>; result: never };
  wait: { payload: Record<string, never>; result: never };
};

export interface TestServer {
  /** Where the routes are: `http://127.0.0.1:<port>/queue`. */
  url: string;
  port: number;
  queue: ReturnType<typeof memoryQueue>["queue"];
  worker: Worker;
  /** Requests per path pattern so far, e.g. `events`. */
  requests: { events: number };
  close(): Promise<void>;
}

/** Waits `ms`, or rejects when `signal` aborts; leaves no listener behind either way. */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

export async function startTestServer(
  routes: Partial<QueueRoutesOptions> = {},
  queueOptions: Partial<JobQueueOptions> = {},
  storeUrl?: string,
  /** Registers routes of the app before the queue routes (which own every path under /queue). */
  before?: (app: Hono) => void,
): Promise<TestServer> {
  const { queue } = memoryQueue(
    { clock: undefined, progressIntervalMs: 0, ...queueOptions },
    storeUrl,
  );
  const worker = new Worker(queue, {
    concurrency: 4,
    idleMs: { min: 5, max: 20 },
    onError: () => {},
  })
    .handler<TestJobs["echo"]["payload"]>("echo", (ctx) => ({ echoed: ctx.payload }))
    .handler<TestJobs["steps"]["payload"]>("steps", async (ctx) => {
      for (let i = 1; i <= ctx.payload.n; i++) {
        await sleep(ctx.payload.everyMs, ctx.signal);
        await ctx.update({ progress: i / ctx.payload.n, message: `step ${i}` });
      }
      return { steps: ctx.payload.n };
    })
    .handler("fail", () => {
      throw Object.assign(new Error("failed on purpose"), { code: "ON_PURPOSE" });
    })
    .handler("wait", (ctx) => sleep(60_000, ctx.signal));
  const requests = { events: 0 };
  const app = new Hono().use("*", async (c, next) => {
    if (c.req.path.endsWith("/events")) requests.events += 1;
    await next();
  });
  before?.(app);
  app.route(
    "/queue",
    queueRoutes(queue, { auth: { tokens: [ADMIN] }, streamSecret: STREAM_SECRET, ...routes }),
  );
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  if (!storeUrl) worker.start();
  return {
    url: `http://127.0.0.1:${port}/queue`,
    port,
    queue,
    worker,
    requests,
    async close() {
      await worker.stop({ graceMs: 0 });
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close();
    },
  };
}

/** True if `seqs` counts up by one from its first element. */
export function consecutive(seqs: number[]): boolean {
  return seqs.every((seq, i) => seq === (seqs[0] as number) + i);
}
