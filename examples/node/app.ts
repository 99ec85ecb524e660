/**
 * The demo's Hono app: the queue API under /queue with its dashboard at /queue/dashboard, a
 * browser page at / with the client at /client.js, and /demo/jobs, a route of "your app" that enqueues with its API token and hands
 * the browser only the job's stream token (per job, expiring, signed) and stream URL.
 */
import { randomBytes } from "node:crypto";
import { Hono } from "hono";
import { dashboard } from "../../adapters/dashboard.js";
import { type QueueRoutesOptions, queueRoutes } from "../../adapters/hono.js";
import type { JobQueue, Worker } from "../../src/index.js";
import { clientBundle } from "./client-bundle.js";
import { schemas } from "./jobs.js";
import { PAGE } from "./page.js";

export function demoApp(options: {
  queue: JobQueue;
  worker: Worker;
  token: string;
  /** Signs stream URLs; default a random one (URLs then die with the process). */
  streamSecret?: string;
  sse?: QueueRoutesOptions["sse"];
}): Hono {
  const api = queueRoutes(options.queue, {
    auth: { tokens: [options.token] },
    jobs: schemas,
    streamSecret: options.streamSecret ?? randomBytes(32).toString("base64url"),
    worker: options.worker,
    cors: { origin: "*" },
    sse: options.sse,
    dashboard: dashboard(), // GET /queue/dashboard: sign in with the API token
  });
  const app = new Hono();
  app.get("/", (c) => c.html(PAGE));
  app.get("/client.js", async (c) =>
    c.body(await clientBundle(), 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  app.route("/queue", api);
  app.post("/demo/jobs", async (c) => {
    const created = await app.request("/queue/jobs", {
      method: "POST",
      headers: { authorization: `Bearer ${options.token}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "resize", payload: { image: "browser.png", tiles: 6 } }),
    });
    const { id, streamToken, streamUrl } = (await created.json()) as {
      id: string;
      streamToken: string;
      streamUrl: string;
    };
    return c.json({ id, streamToken, streamUrl }, 201);
  });
  return app;
}
