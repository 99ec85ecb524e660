/**
 * The HTTP API as a mountable Hono app: enqueue, status, SSE progress, wait-for-result,
 * cancel, redrive, list, stats, purge and the cron claim route.
 *
 * @example
 * const app = new Hono();
 * app.route("/queue", queueRoutes(queue, {
 *   auth: { tokens: [env.API_TOKEN] },
 *   jobs: { resize: z.object({ url: z.string().url() }) },
 *   streamSecret: env.STREAM_SECRET,
 *   worker, cronSecret: env.CRON_SECRET,
 * }));
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import {
  Broadcaster,
  type EnqueueItem,
  isTerminal,
  JobNotFoundError,
  type JobQueue,
  type JobUpdate,
  snapshotOf,
  type Worker,
} from "../src/index.js";
import {
  type AuthOptions,
  adminOnly,
  assertAuthOptions,
  assertSecret,
  bearerToken,
  isAdmin,
  matchesAny,
  unauthorized,
} from "./http/auth.js";
import { type JobSchemas, readJsonBody, toEnqueueItem } from "./http/enqueue-request.js";
import { errorResponse, HttpError } from "./http/errors.js";
import { jobLinks, jobView, routesBase } from "./http/job-view.js";
import { streamFollower } from "./http/poll-budget.js";
import { intParam, resumeCursor, statesParam } from "./http/query.js";
import { type SseTiming, sseResponse } from "./http/sse.js";
import { StreamTokens } from "./http/stream-token.js";
import { unmatchedRoute } from "./http/unmatched.js";

export type { AuthOptions } from "./http/auth.js";
export type { JobSchemas } from "./http/enqueue-request.js";
export { HttpError } from "./http/errors.js";

/** Options for {@link queueRoutes}. */
export interface QueueRoutesOptions {
  /** Who may enqueue, cancel, list… Required; `false` opens everything (local development). */
  auth: AuthOptions;
  /** Per job type, a Standard Schema for its payload. When given, other types are refused (422). */
  jobs?: JobSchemas;
  /** Largest request body, bytes. Default 1 MB. */
  maxBodyBytes?: number;
  /**
   * Secret (16+ characters) for per-job stream tokens returned at enqueue. `undefined` turns
   * stream tokens off; an empty or short string fails at startup.
   */
  streamSecret?: string | undefined;
  /** How long a stream token is valid. Default 1 hour. */
  streamTokenTtlMs?: number;
  /**
   * Bearer token the cron route accepts (e.g. Vercel's CRON_SECRET), besides admin auth.
   * `undefined`: admins only; an empty string fails at startup.
   */
  cronSecret?: string | undefined;
  /** CORS for browser clients (hono/cors options). */
  cors?: Parameters<typeof cors>[0];
  /** The worker the cron route drains. Without one there is no cron route. */
  worker?: Worker;
  /** Drain budget of the cron route. Default 25 s. */
  budgetMs?: number;
  /** SSE timing; `maxStreamMs` defaults to 5 minutes, heartbeats to 15 s. */
  sse?: Partial<SseTiming> & {
    /** First and longest wait between a stream's polls of the store. Default 100 ms → 2 s. */
    pollMs?: { min?: number; max?: number };
    /**
     * Store calls one stream may make before it ends (with a `retry:` hint; EventSource
     * resumes with `Last-Event-ID`). Default unlimited; the Cloudflare adapter sets 40 to stay
     * under the Free plan's 50 subrequests per invocation.
     */
    maxStorePolls?: number;
  };
  /** Longest `GET /jobs/:id/result?waitMs=` wait, and its default. Default 25 s for both. */
  waitMs?: { default?: number; max?: number };
  /** Called after jobs were created (e.g. to start a short drain with `waitUntil`). */
  onEnqueued?: (c: Context, ids: string[]) => void;
}

const DEFAULT_TIMING: SseTiming = { heartbeatMs: 15_000, maxStreamMs: 300_000, retryMs: 2_000 };

/** Builds the routes. Invalid options throw here, at startup. */
export function queueRoutes(queue: JobQueue, options: QueueRoutesOptions): Hono {
  const auth = assertAuthOptions(options.auth);
  const streamSecret = assertSecret(options.streamSecret, "streamSecret");
  // Any length: the platform may choose it (Vercel's CRON_SECRET); only empty is refused.
  const cronSecret = assertSecret(options.cronSecret, "cronSecret", 1);
  const tokens = streamSecret ? new StreamTokens(streamSecret) : null;
  const tokenTtlMs = options.streamTokenTtlMs ?? 3_600_000;
  const timing: SseTiming = { ...DEFAULT_TIMING, ...options.sse };
  const broadcaster = new Broadcaster(queue, { pollMs: options.sse?.pollMs });
  const follow = streamFollower(broadcaster, queue, { ...options.sse });
  const wait = { fallback: options.waitMs?.default ?? 25_000, max: options.waitMs?.max ?? 25_000 };
  const admin = adminOnly(auth);
  const limit = bodyLimit({
    maxSize: options.maxBodyBytes ?? 1_000_000,
    onError: (c) =>
      errorResponse(c, new HttpError(413, "PAYLOAD_TOO_LARGE", "request body too large")),
  });

  /** Admin, or a valid stream token for this job (`?token=` or bearer). */
  const readAccess = async (c: Context, id: string): Promise<"admin" | "token"> => {
    if (await isAdmin(c, auth)) return "admin";
    const token = c.req.query("token") ?? bearerToken(c);
    if (tokens && token && (await tokens.verify(token, queue.name, id, queue.clock.now()))) {
      return "token";
    }
    throw unauthorized(token ? "stream token invalid or expired" : undefined);
  };

  const created = async (c: Context, id: string, isNew: boolean) => {
    const base = routesBase(c.req.path);
    const links = jobLinks(base, id);
    if (!tokens) return { id, created: isNew, links };
    const streamToken = await tokens.sign(queue.name, id, queue.clock.now() + tokenTtlMs);
    const streamUrl = `${links.events}?token=${encodeURIComponent(streamToken)}`;
    return { id, created: isNew, links, streamToken, streamUrl };
  };

  const enqueue = async (c: Context, items: EnqueueItem[]) => {
    const outcomes = await queue.enqueueMany(items);
    const fresh = outcomes.filter((o) => o.created).map((o) => o.id);
    if (fresh.length > 0) options.onEnqueued?.(c, fresh);
    return Promise.all(outcomes.map((o) => created(c, o.id, o.created)));
  };

  const getJob = async (id: string) => {
    const job = await queue.get(id);
    if (!job) throw new JobNotFoundError(id);
    return job;
  };

  const app = new Hono();
  app.onError((error, c) => errorResponse(c, error));
  if (options.cors) app.use("*", cors(options.cors));

  app.post("/jobs", admin, limit, async (c) => {
    const item = await toEnqueueItem(await readJsonBody(c), options.jobs);
    const headerKey = c.req.header("idempotency-key");
    if (headerKey !== undefined) item.options = { ...item.options, idempotencyKey: headerKey };
    const [job] = await enqueue(c, [item]);
    if (!job) throw new Error("enqueue returned nothing");
    if (job.created) c.header("Location", job.links.self);
    return c.json(
      { ...job, state: job.created ? "queued" : (await getJob(job.id)).state },
      job.created ? 201 : 200,
    );
  });

  app.post("/jobs/batch", admin, limit, async (c) => {
    const body = (await readJsonBody(c)) as { jobs?: unknown };
    const list = body?.jobs;
    if (!Array.isArray(list) || list.length === 0 || list.length > 100) {
      throw new HttpError(422, "VALIDATION", "jobs must be an array of 1 to 100 jobs", {
        field: "jobs",
      });
    }
    const items = await Promise.all(
      list.map((item, i) => toEnqueueItem(item, options.jobs, `jobs.${i}.`)),
    );
    const jobs = await enqueue(c, items);
    return c.json({ jobs }, jobs.some((j) => j.created) ? 201 : 200);
  });

  app.get("/jobs", admin, async (c) => {
    const [state, ...more] = statesParam(c, "state") ?? [];
    if (more.length > 0)
      throw new HttpError(400, "BAD_REQUEST", "list one state at a time", { field: "state" });
    const limit = intParam(c, "limit", { min: 1, max: 1_000, fallback: 50 });
    const page = await queue.list({ state, limit, cursor: c.req.query("cursor") ?? null });
    const base = routesBase(c.req.path);
    return c.json({ jobs: page.jobs.map((job) => jobView(job, base, true)), cursor: page.cursor });
  });

  app.delete("/jobs", admin, async (c) => {
    const states = statesParam(c, "state");
    if (!states)
      throw new HttpError(400, "BAD_REQUEST", "name the states to purge: ?state=failed", {
        field: "state",
      });
    return c.json({ purged: await queue.purge(states) });
  });

  app.get("/stats", admin, async (c) => c.json(await queue.stats()));

  app.get("/jobs/:id", async (c) => {
    const id = c.req.param("id");
    const access = await readAccess(c, id);
    return c.json(jobView(await getJob(id), routesBase(c.req.path), access === "admin"));
  });

  app.get("/jobs/:id/events", async (c) => {
    const id = c.req.param("id");
    await readAccess(c, id);
    const after = resumeCursor(c);
    const job = await getJob(id);
    // Nothing left to send: 204 tells EventSource to stop reconnecting.
    if (after !== undefined && isTerminal(job.state) && job.seq <= after) return c.body(null, 204);
    const first: JobUpdate[] = after === undefined ? [snapshotOf(job)] : [];
    return sseResponse(
      async function* (signal) {
        yield* first;
        if (after === undefined && isTerminal(job.state)) return;
        const stream = follow(signal);
        yield* stream.broadcaster.subscribe(id, { after: after ?? job.seq, signal: stream.signal });
      },
      queue.clock,
      timing,
    );
  });

  app.get("/jobs/:id/result", async (c) => {
    const id = c.req.param("id");
    const access = await readAccess(c, id);
    const waitMs = intParam(c, "waitMs", { min: 0, max: wait.max, fallback: wait.fallback });
    const job = await broadcaster.waitFor(id, { timeoutMs: waitMs, signal: c.req.raw.signal });
    const view = jobView(job, routesBase(c.req.path), access === "admin");
    return c.json(view, isTerminal(job.state) ? 200 : 202);
  });

  app.post("/jobs/:id/cancel", admin, async (c) => {
    const id = c.req.param("id");
    return c.json({ id, cancelled: await queue.cancel(id) });
  });

  app.post("/jobs/:id/retry", admin, async (c) => {
    const id = c.req.param("id");
    await queue.retry(id);
    return c.json({ id, state: "queued" });
  });

  const { worker } = options;
  if (worker) {
    app.on(["GET", "POST"], "/cron", async (c) => {
      const viaSecret = cronSecret && (await matchesAny(bearerToken(c), [cronSecret]));
      if (!viaSecret && !(await isAdmin(c, auth))) throw unauthorized();
      return c.json(await worker.drain({ budgetMs: options.budgetMs ?? 25_000 }));
    });
  }
  app.all("*", unmatchedRoute(app)); // last: JSON 404 / 405 even when mounted
  return app;
}
