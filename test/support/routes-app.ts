/** A Hono app with the queue routes mounted at /queue over an in-memory queue. */
import { Hono } from "hono";
import { type QueueRoutesOptions, queueRoutes } from "../../adapters/hono.js";
import { type JobDefinitions, type JobQueueOptions, Worker } from "../../src/index.js";
import { memoryQueue } from "./memory-queue.js";

export const ADMIN = "admin-token-0123456789";
export const CRON = "cron-secret-0123456789";
export const STREAM_SECRET = "stream-secret-0123456789abcdef";

export function routesApp(
  routes: Partial<QueueRoutesOptions> = {},
  queueOptions: Partial<JobQueueOptions & { jobs: JobDefinitions }> = {},
) {
  const setup = memoryQueue({ progressIntervalMs: 0, ...queueOptions });
  const worker = new Worker(setup.queue).handler<{ n?: number }>("echo", (ctx) => ({
    echoed: ctx.payload,
  }));
  const app = new Hono().route(
    "/queue",
    queueRoutes(setup.queue, {
      auth: { tokens: [ADMIN] },
      streamSecret: STREAM_SECRET,
      cronSecret: CRON,
      worker,
      ...routes,
    }),
  );
  const request = (path: string, init: RequestInit = {}) => app.request(`/queue${path}`, init);
  const asAdmin = (path: string, init: RequestInit = {}) =>
    request(path, { ...init, headers: { authorization: `Bearer ${ADMIN}`, ...init.headers } });
  const postJson = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    asAdmin(path, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers },
    });
  const totalJobs = async () =>
    Object.values(await setup.queue.stats()).reduce((sum, n) => sum + n, 0);
  return { ...setup, worker, app, request, asAdmin, postJson, totalJobs };
}
