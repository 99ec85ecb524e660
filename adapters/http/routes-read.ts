/**
 * A job's read routes, for admins or a browser holding that job's stream token: status,
 * the SSE stream of its events (resumable with `Last-Event-ID`), and a bounded wait for its
 * outcome.
 */
import type { Hono } from "hono";
import { isTerminal, snapshotOf } from "../../src/adapter-kit.js";
import type { JobDefinitions, JobUpdate } from "../../src/index.js";
import { jobView, routesBase } from "./job-view.js";
import { intParam, resumeCursor } from "./query.js";
import type { RouteKit } from "./route-kit.js";
import { sseResponse } from "./sse.js";

export function readRoutes<J extends JobDefinitions>(app: Hono, kit: RouteKit<J>): void {
  const { broadcaster, queue } = kit;

  app.get("/jobs/:id", async (c) => {
    const id = c.req.param("id");
    const access = await kit.readAccess(c, id);
    return c.json(jobView(await kit.getJob(id), routesBase(c.req.path), access === "admin"));
  });

  app.get("/jobs/:id/events", async (c) => {
    const id = c.req.param("id");
    await kit.readAccess(c, id);
    const after = resumeCursor(c);
    const job = await kit.getJob(id);
    // Nothing left to send: 204 tells EventSource to stop reconnecting.
    if (after !== undefined && isTerminal(job.state) && job.seq <= after) return c.body(null, 204);
    const first: JobUpdate[] = after === undefined ? [snapshotOf(job)] : [];
    return sseResponse(
      async function* (signal) {
        yield* first;
        if (after === undefined && isTerminal(job.state)) return;
        // With a store-call budget the subscription may end before the job does: the stream
        // then closes with a `retry:` hint and the client resumes in a fresh request.
        yield* broadcaster.subscribe(id, {
          after: after ?? job.seq,
          signal,
          maxStoreCalls: kit.maxStorePolls,
        });
      },
      queue.clock,
      kit.timing,
    );
  });

  app.get("/jobs/:id/result", async (c) => {
    const id = c.req.param("id");
    const access = await kit.readAccess(c, id);
    const { wait } = kit;
    const waitMs = intParam(c, "waitMs", { min: 0, max: wait.max, fallback: wait.fallback });
    const job = await broadcaster.waitFor(id, { timeoutMs: waitMs, signal: c.req.raw.signal });
    const view = jobView(job, routesBase(c.req.path), access === "admin");
    return c.json(view, isTerminal(job.state) ? 200 : 202);
  });
}
