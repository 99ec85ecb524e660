/**
 * A job's read routes, for admins or a browser holding that job's stream token: status,
 * the SSE stream of its events (resumable with `Last-Event-ID`), and a bounded wait for its
 * outcome. Streams and waits follow the job through the routes' shared watchers, are capped,
 * and end with their connection: Hono answers HEAD by running the GET handler and dropping
 * the body unread, so HEAD gets its answer without a stream or a wait.
 */
import type { Context, Hono } from "hono";
import { isTerminal, snapshotOf } from "../../src/adapter-kit.js";
import type { Job, JobDefinitions, JobUpdate } from "../../src/index.js";
import { jobView, mountBase, visibleUpdate } from "./job-view.js";
import { intParam, resumeCursor } from "./query.js";
import type { RouteKit } from "./route-kit.js";
import { SSE_HEADERS, sseResponse } from "./sse.js";

const isHead = (c: Context) => c.req.method === "HEAD";

export function readRoutes<J extends JobDefinitions>(app: Hono, kit: RouteKit<J>): void {
  const { watchers, queue } = kit;

  app.get("/jobs/:id", async (c) => {
    const id = c.req.param("id");
    const access = await kit.readAccess(c, id);
    return c.json(jobView(await kit.getJob(id), mountBase(c), access));
  });

  app.get("/jobs/:id/events", async (c) => {
    const id = c.req.param("id");
    const access = await kit.readAccess(c, id);
    const after = resumeCursor(c);
    const job = await kit.getJob(id);
    // Nothing left to send: 204 tells EventSource to stop reconnecting.
    if (after !== undefined && isTerminal(job.state) && job.seq <= after) return c.body(null, 204);
    if (isHead(c)) return c.body(null, 200, { ...SSE_HEADERS });
    const first: JobUpdate[] = after === undefined ? [snapshotOf(job)] : [];
    const release = watchers.reserve(id);
    return sseResponse(
      async function* (signal) {
        try {
          for (const update of first) yield visibleUpdate(update, access);
          if (after === undefined && isTerminal(job.state)) return;
          // With a store-call budget the watcher may end before the job does: the stream
          // then closes with a `retry:` hint and the client resumes in a fresh request.
          for await (const update of watchers.follow(id, after ?? job.seq, signal)) {
            yield visibleUpdate(update, access);
          }
        } finally {
          release();
        }
      },
      queue.clock,
      kit.timing,
      c.req.raw.signal,
    );
  });

  app.get("/jobs/:id/result", async (c) => {
    const id = c.req.param("id");
    const access = await kit.readAccess(c, id);
    const { wait } = kit;
    const waitMs = intParam(c, "waitMs", { min: 0, max: wait.max, fallback: wait.fallback });
    const job = await waitFor(kit, id, isHead(c) ? 0 : waitMs, c.req.raw.signal);
    const view = jobView(job, mountBase(c), access);
    return c.json(view, isTerminal(job.state) ? 200 : 202);
  });
}

/**
 * The job once it is completed, failed or cancelled, or as it stands when `timeoutMs` runs
 * out, the watcher ends, or the request's `signal` aborts (the client left).
 */
async function waitFor<J extends JobDefinitions>(
  kit: RouteKit<J>,
  id: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Job> {
  const job = await kit.getJob(id);
  if (isTerminal(job.state) || timeoutMs <= 0 || signal.aborted) return job;
  const release = kit.watchers.reserve(id);
  const stop = new AbortController();
  const abort = () => stop.abort();
  signal.addEventListener("abort", abort, { once: true });
  const timer = kit.queue.clock.sleep(timeoutMs, stop.signal).then(abort);
  try {
    for await (const update of kit.watchers.follow(id, job.seq, stop.signal)) {
      if (isTerminal(update.state)) break;
    }
  } finally {
    stop.abort();
    signal.removeEventListener("abort", abort);
    release();
    await timer;
  }
  return signal.aborted ? job : kit.getJob(id);
}
