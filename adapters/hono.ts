/**
 * The HTTP API as a mountable Hono app: enqueue, status, SSE progress, wait-for-result,
 * cancel, redrive, list, stats, purge, schedules, the cron claim route and, if given one, a
 * dashboard page (`jdobb-async-queue/dashboard`).
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
import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
// hono/tiny: the pattern router alone (2.5 KiB gzip less than the default two); an app that
// mounts these routes with `app.route` matches them with its own router anyway.
import { Hono } from "hono/tiny";
import type { UntypedJobs } from "../src/adapter-kit.js";
import type { JobDefinitions, JobQueue, Worker } from "../src/index.js";
import type { AuthOptions } from "./http/auth.js";
import { type Dashboard, mountDashboard } from "./http/dashboard-option.js";
import type { JobSchemas } from "./http/enqueue-request.js";
import { errorResponse } from "./http/errors.js";
import { routeKit } from "./http/route-kit.js";
import { adminRoutes } from "./http/routes-admin.js";
import { cronRoutes } from "./http/routes-cron.js";
import { enqueueRoutes } from "./http/routes-enqueue.js";
import { readRoutes } from "./http/routes-read.js";
import { scheduleRoutes } from "./http/routes-schedules.js";
import type { SseTiming } from "./http/sse.js";
import { unmatchedRoute } from "./http/unmatched.js";

export type { AuthOptions } from "./http/auth.js";
export type { Dashboard } from "./http/dashboard-option.js";
export type { JobSchemas } from "./http/enqueue-request.js";
export { HttpError } from "./http/errors.js";
export type { DashboardOptions } from "./http/routes-dashboard.js";

/** Options for {@link queueRoutes}. */
export interface QueueRoutesOptions<J extends JobDefinitions = UntypedJobs> {
  /** Who may enqueue, cancel, list… Required; `false` opens everything (local development). */
  auth: AuthOptions;
  /**
   * @deprecated Give the queue `jobs` instead (then enqueue, workers and these routes all
   * check them). Per job type, a Standard Schema for its payload; other types are refused.
   */
  jobs?: JobSchemas | undefined;
  /** Largest request body, bytes. Default 1 MB. */
  maxBodyBytes?: number | undefined;
  /**
   * Secret (16+ characters) for per-job stream tokens returned at enqueue (`streamToken`,
   * `streamUrl`: what a browser follows its job with). Left out (or `undefined`, an unset env
   * var), enqueue answers carry none and the routes warn once, at their first request; `false`
   * turns stream tokens off without a word. An empty or short string fails at startup.
   */
  streamSecret?: string | false | undefined;
  /**
   * Serve jobs' error messages to stream-token holders (browsers) too. Default false: they
   * get an error's `code` only, admins the whole error (a handler's message may name a store
   * URL or other internals).
   */
  exposeErrors?: boolean | undefined;
  /** How long a stream token is valid. Default 1 hour. */
  streamTokenTtlMs?: number | undefined;
  /**
   * Bearer token the cron route accepts (e.g. Vercel's CRON_SECRET), besides admin auth.
   * `undefined`: admins only; an empty string fails at startup.
   */
  cronSecret?: string | undefined;
  /** CORS for browser clients (hono/cors options). */
  cors?: Parameters<typeof cors>[0] | undefined;
  /** The worker the cron route drains. Without one there is no cron route. */
  worker?: Worker<J> | undefined;
  /** Drain budget of the cron route. Default 25 s. */
  budgetMs?: number | undefined;
  /** SSE timing; `maxStreamMs` defaults to 5 minutes, heartbeats to 15 s. */
  sse?:
    | ({ [K in keyof SseTiming]?: SseTiming[K] | undefined } & {
        /** First and longest wait between a watcher's polls of the store. Default 100 ms → 2 s. */
        pollMs?: { min?: number | undefined; max?: number | undefined } | undefined;
        /**
         * Store calls a job's watcher may make before the streams it feeds end (with a `retry:`
         * hint; EventSource resumes with `Last-Event-ID`). Default unlimited; the Cloudflare
         * adapter, where each stream has its own watcher, sets 40 to stay under the Free plan's 50
         * subrequests per invocation.
         */
        maxStorePolls?: number | undefined;
      })
    | undefined;
  /**
   * Caps on open SSE streams and `result?waitMs=` long-polls together, answered 503 with
   * `Retry-After` when full; they count per `queueRoutes()` app (one per process or isolate).
   */
  streams?:
    | {
        /** All jobs together. Default 1000. */
        max?: number | undefined;
        /** Of one job. Default 100. */
        maxPerJob?: number | undefined;
        /**
         * One store poller per job feeds all its streams and long-polls in this process. Default
         * true; the Cloudflare adapter turns it off (a Worker request may not use another
         * request's I/O), so there each stream polls for itself.
         */
        share?: boolean | undefined;
      }
    | undefined;
  /** Longest `GET /jobs/:id/result?waitMs=` wait, and its default. Default 25 s for both. */
  waitMs?: { default?: number | undefined; max?: number | undefined } | undefined;
  /** Called after jobs were created (e.g. to start a short drain with `waitUntil`). */
  onEnqueued?: ((c: Context, ids: string[]) => void) | undefined;
  /**
   * A dashboard to serve at `GET <mount point>/dashboard`: `dashboard()` of
   * `jdobb-async-queue/dashboard` (its own entry, so apps without it carry none of the page).
   * Default none; `true` (the option before that entry) fails at startup, saying what to import.
   */
  dashboard?: Dashboard | false | undefined;
}

/** Said once, at the first request, by routes with `auth: false`. */
const OPEN_WARNING =
  "jdobb-async-queue: queueRoutes has auth: false: every route is open to anyone who can reach it (local development only)";

/** Said once, at the first request, by routes with no `streamSecret` (an unset env var?). */
const NO_STREAM_SECRET_WARNING =
  "jdobb-async-queue: queueRoutes has no streamSecret, so enqueue answers carry no streamToken / streamUrl and browsers cannot follow their jobs (set streamSecret, 16+ characters, or streamSecret: false to turn stream tokens off quietly)";

/**
 * Middleware that warns once, at the first request (the factory itself never logs: building
 * routes in a test or a script stays quiet).
 */
function warnOnce(message: string): MiddlewareHandler {
  let warned = false;
  return async (_c, next) => {
    if (!warned) {
      warned = true;
      console.warn(message);
    }
    await next();
  };
}

/**
 * Builds the routes: small groups over one shared kit (see `adapters/http/routes-*.ts`).
 * Job types and payloads are checked by the queue's own `jobs` schemas. Invalid options throw
 * here, at startup.
 */
export function queueRoutes<J extends JobDefinitions>(
  queue: JobQueue<J>,
  options: QueueRoutesOptions<J>,
): Hono {
  const kit = routeKit(queue, options);
  const app = new Hono();
  app.onError((error, c) => errorResponse(c, error));
  // API answers (an enqueue's carries a stream token) are for this caller only: no cache keeps
  // them. Streams and dashboard files set their own.
  app.use("*", async (c, next) => {
    await next();
    if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
  });
  if (options.auth === false) app.use("*", warnOnce(OPEN_WARNING));
  if (options.streamSecret === undefined) app.use("*", warnOnce(NO_STREAM_SECRET_WARNING));
  // Browsers may read Retry-After cross-origin (a 503's wait), unless the caller says otherwise.
  if (options.cors) app.use("*", cors({ exposeHeaders: ["Retry-After"], ...options.cors }));
  enqueueRoutes(app, kit);
  readRoutes(app, kit);
  adminRoutes(app, kit);
  scheduleRoutes(app, kit);
  if (options.worker) cronRoutes(app, kit, options.worker);
  mountDashboard(app, options.dashboard);
  app.all("*", unmatchedRoute(app)); // last: JSON 404 / 405 even when mounted
  return app;
}
