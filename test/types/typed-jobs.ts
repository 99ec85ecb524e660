/**
 * Type tests, checked by `tsc --noEmit` (part of `npm test`): one definition of job types flows
 * to enqueue, handlers, results, reads and the HTTP routes. Each `@ts-expect-error` fails the
 * type check if the line it marks stops being an error.
 */
import { Hono } from "hono";
import * as v from "valibot";
import { z } from "zod";
import { cloudflareWorker } from "../../adapters/cloudflare.js";
import { queueRoutes } from "../../adapters/hono.js";
import { serve } from "../../adapters/node.js";
import { vercelHandlers } from "../../adapters/vercel.js";
import { libsqlBackend } from "../../src/backends/libsql/index.js";
import { createClient } from "../../src/client/index.js";
import { cron } from "../../src/cron.js";
import { Broadcaster, JobQueue, Worker } from "../../src/index.js";

declare const assertType: <T>(value: T) => void;

const queue = new JobQueue({
  backend: libsqlBackend({ url: ":memory:" }),
  cron,
  jobs: {
    resize: z.object({ url: z.string().url(), width: z.number().default(100) }),
    report: {
      payload: v.object({ month: v.string() }),
      result: z.object({ rows: z.number() }),
    },
  },
});

export async function typedJobs() {
  await queue.enqueue("resize", { url: "https://example.com/a.png" }); // width has a default
  await queue.enqueue("report", { month: "2026-11" });
  // @ts-expect-error an unknown job type
  await queue.enqueue("unknown", {});
  // @ts-expect-error a wrong payload
  await queue.enqueue("resize", { url: 42 });
  // @ts-expect-error a missing payload field
  await queue.enqueue("report", {});
  await queue.schedule("monthly", { cron: "0 6 1 * *", type: "report", payload: { month: "x" } });
  // @ts-expect-error a schedule of an unknown job type
  await queue.schedule("nope", { cron: "* * * * *", type: "unknown", payload: {} });
  // @ts-expect-error a schedule whose payload does not match its type
  await queue.schedule("bad", { cron: "* * * * *", type: "report", payload: { month: 1 } });
  await queue.enqueueMany([
    { type: "resize", payload: { url: "https://example.com/b.png", width: 1 } },
    { type: "report", payload: { month: "2026-12" } },
  ]);
  // @ts-expect-error a batch item whose payload does not match its type
  await queue.enqueueMany([{ type: "report", payload: { url: "x" } }]);

  const worker = new Worker(queue);
  worker.handler("resize", (ctx) => {
    assertType<string>(ctx.payload.url);
    assertType<number>(ctx.payload.width); // the schema's output: the default applied
    return { bytes: 1 };
  });
  worker.handler("report", async (ctx) => {
    assertType<string>(ctx.payload.month);
    return { rows: 3 };
  });
  // @ts-expect-error the result must match the result schema
  worker.handler("report", () => ({ rows: "three" }));
  // @ts-expect-error no such job type
  worker.handler("unknown", () => null);

  const job = await queue.get("id");
  if (job?.type === "report") assertType<{ rows: number } | null>(job.result);
  const done = await new Broadcaster(queue).waitFor("id", { timeoutMs: 1 });
  if (done.type === "resize") assertType<string>(done.payload.url);

  const app = new Hono().route("/queue", queueRoutes(queue, { auth: false, worker }));
  await serve({ fetch: app.fetch, queue, worker, port: 0, signals: false });
  vercelHandlers({ queue, worker, routes: { auth: false } });
  cloudflareWorker<{ TOKEN: string }>({
    setup: () => ({ queue, worker, routes: { auth: false } }),
  });
}

export async function clientTypedByTheQueue() {
  const client = createClient<typeof queue>({ baseUrl: "http://127.0.0.1:1/queue" });
  const { id } = await client.enqueue("report", { month: "2026-11" });
  const job = await client.result(id, { waitMs: 1 });
  assertType<{ rows: number } | null>(job.result);
  // @ts-expect-error an unknown job type
  await client.enqueue("unknown", {});
  // @ts-expect-error a wrong payload
  await client.enqueue("resize", { url: 1 });
}

export function definitionsMustBeSchemas() {
  new JobQueue({
    backend: libsqlBackend({ url: ":memory:" }),
    // @ts-expect-error not a Standard Schema
    jobs: { resize: { notASchema: true } },
  });
}

export async function untypedJobs() {
  const plain = new JobQueue({ backend: libsqlBackend({ url: ":memory:" }) });
  await plain.enqueue("anything", { any: "payload" });
  const worker = new Worker(plain);
  worker.handler<{ n: number }>("double", (ctx) => ctx.payload.n * 2);
  worker.handler("raw", (ctx) => {
    assertType<unknown>(ctx.payload);
    return null;
  });
  new Hono().route("/queue", queueRoutes(plain, { auth: false, worker }));
}
