/** Admin routes: listing, purge, counts, cancel from anywhere, redrive of a dead job. */
import type { Hono } from "hono";
import type { JobDefinitions } from "../../src/index.js";
import { HttpError } from "./errors.js";
import { ADMIN_VIEW, jobView, mountBase } from "./job-view.js";
import { cursorParam, intParam, statesParam } from "./query.js";
import type { RouteKit } from "./route-kit.js";

export function adminRoutes<J extends JobDefinitions>(app: Hono, kit: RouteKit<J>): void {
  const { queue, admin } = kit;

  app.get("/jobs", admin, async (c) => {
    const [state, ...more] = statesParam(c, "state") ?? [];
    if (more.length > 0) {
      throw new HttpError(400, "BAD_REQUEST", "list one state at a time", { field: "state" });
    }
    const limit = intParam(c, "limit", { min: 1, max: 1_000, fallback: 50 });
    const page = await queue.list({ state, limit, cursor: cursorParam(c) });
    const base = mountBase(c);
    return c.json({
      jobs: page.jobs.map((job) => jobView(job, base, ADMIN_VIEW)),
      cursor: page.cursor,
    });
  });

  app.delete("/jobs", admin, async (c) => {
    const states = statesParam(c, "state");
    if (!states) {
      throw new HttpError(400, "BAD_REQUEST", "name the states to purge: ?state=failed", {
        field: "state",
      });
    }
    return c.json({ purged: await queue.purge(states) });
  });

  app.get("/stats", admin, async (c) => c.json(await queue.stats()));

  app.post("/jobs/:id/cancel", admin, async (c) => {
    const id = c.req.param("id");
    return c.json({ id, cancelled: await queue.cancel(id) });
  });

  app.post("/jobs/:id/retry", admin, async (c) => {
    const id = c.req.param("id");
    await queue.retry(id);
    return c.json({ id, state: "queued" });
  });
}
