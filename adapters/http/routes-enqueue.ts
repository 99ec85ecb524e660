/** `POST /jobs` and `POST /jobs/batch`: the queue checks types and payloads against its schemas. */
import type { Context, Hono } from "hono";
import { JobSchemas } from "../../src/adapter-kit.js";
import { type EnqueueItem, type JobDefinitions, QueueError } from "../../src/index.js";
import { readJsonBody, toEnqueueItem } from "./enqueue-request.js";
import { HttpError, inBatchItem } from "./errors.js";
import type { RouteKit } from "./route-kit.js";

export function enqueueRoutes<J extends JobDefinitions>(app: Hono, kit: RouteKit<J>): void {
  const { queue, options } = kit;
  // Deprecated: schemas given to the routes rather than the queue are checked here, and the
  // schema's output is stored, as before the queue took the schemas.
  const routeSchemas = options.jobs ? new JobSchemas(options.jobs) : null;

  const enqueue = async (c: Context, items: EnqueueItem[]) => {
    for (const [i, item] of items.entries()) {
      if (!routeSchemas) break;
      item.payload = await routeSchemas.parse(item.type, item.payload).catch((error: unknown) => {
        if (error instanceof QueueError) error.item = i;
        throw error;
      });
    }
    const outcomes = await queue.enqueueMany(items as never);
    const fresh = outcomes.filter((o) => o.created).map((o) => o.id);
    if (fresh.length > 0) options.onEnqueued?.(c, fresh);
    return Promise.all(outcomes.map((o) => kit.created(c, o.id, o.created)));
  };

  app.post("/jobs", kit.admin, kit.bodyLimit, async (c) => {
    const item = toEnqueueItem(await readJsonBody(c));
    const headerKey = c.req.header("idempotency-key");
    if (headerKey !== undefined) item.options = { ...item.options, idempotencyKey: headerKey };
    const [job] = await enqueue(c, [item]);
    if (!job) throw new Error("enqueue returned nothing");
    if (job.created) c.header("Location", job.links.self);
    const state = job.created ? "queued" : (await kit.getJob(job.id)).state;
    return c.json({ ...job, state }, job.created ? 201 : 200);
  });

  app.post("/jobs/batch", kit.admin, kit.bodyLimit, async (c) => {
    const body = (await readJsonBody(c)) as { jobs?: unknown };
    const list = body?.jobs;
    if (!Array.isArray(list) || list.length === 0 || list.length > 100) {
      throw new HttpError(422, "VALIDATION", "jobs must be an array of 1 to 100 jobs", {
        field: "jobs",
      });
    }
    const items = list.map((item, i) => toEnqueueItem(item, `jobs.${i}.`));
    const jobs = await enqueue(c, items).catch((error: unknown) => {
      throw inBatchItem(error); // the refused item's fields are named `jobs.<i>.<field>`
    });
    return c.json({ jobs }, jobs.some((j) => j.created) ? 201 : 200);
  });
}
