/**
 * Vercel (Edge and Node runtimes): route handlers for a catch-all route such as
 * `app/api/queue/[...path]/route.ts`. Vercel Cron calls `GET <basePath>/cron` with
 * `Authorization: Bearer $CRON_SECRET`; delivery may be duplicated or skipped, and drains are
 * safe to overlap, so the next tick catches up.
 *
 * @example
 * // app/api/queue/[...path]/route.ts
 * import { waitUntil } from "@vercel/functions";
 * export const runtime = "edge";
 * export const { GET, HEAD, POST, PUT, DELETE, OPTIONS } = vercelHandlers({
 *   queue, worker, runtime, waitUntil, cronSecret: process.env.CRON_SECRET,
 *   routes: { auth: { tokens: [process.env.API_TOKEN] }, streamSecret: process.env.STREAM_SECRET },
 * });
 */
import { Hono } from "hono/tiny";
import { handle } from "hono/vercel";
import type { UntypedJobs } from "../src/adapter-kit.js";
import { type JobDefinitions, type JobQueue, ValidationError, type Worker } from "../src/index.js";
import { type QueueRoutesOptions, queueRoutes } from "./hono.js";
import { sharedDrain } from "./http/shared-drain.js";

/** Per-runtime defaults that keep streams and waits inside Vercel's limits. */
const LIMITS = {
  // Edge functions must start responding within 25 s and stream for at most 300 s.
  edge: { maxStreamMs: 240_000, waitMs: 20_000, budgetMs: 20_000 },
  // Node functions run 300-800 s depending on plan; stay under the smallest.
  nodejs: { maxStreamMs: 240_000, waitMs: 25_000, budgetMs: 240_000 },
} as const;

/** Options for {@link vercelHandlers}. */
export interface VercelOptions<J extends JobDefinitions = UntypedJobs> {
  queue: JobQueue<J>;
  worker?: Worker<J> | undefined;
  /** Route options; the adapter fills in worker, cron secret and runtime defaults. */
  routes: Omit<QueueRoutesOptions<J>, "worker" | "onEnqueued" | "cronSecret">;
  /** Which runtime the route runs on. Default `edge`. */
  runtime?: keyof typeof LIMITS | undefined;
  /** Where the catch-all route lives. Default `/api/queue`. */
  basePath?: string | undefined;
  /**
   * The project's CRON_SECRET: Vercel Cron sends it as a bearer token. `undefined`: only
   * admins may call the cron route; an empty string fails at startup.
   */
  cronSecret?: string | undefined;
  /** Drain budget of a cron call. Default: 20 s on Edge, 240 s on Node. */
  budgetMs?: number | undefined;
  /**
   * `waitUntil` from `@vercel/functions`: with it, an enqueue kicks a short drain after the
   * response is sent, so a job starts before the next cron tick.
   */
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
}

type Handler = (request: Request) => Promise<Response>;

/**
 * Route handlers, one per method the API answers to (export them all: a method the route file
 * does not export gets the platform's 405), plus the Hono app, for tests or custom mounting.
 */
export interface VercelHandlers {
  GET: Handler;
  HEAD: Handler;
  POST: Handler;
  PUT: Handler;
  DELETE: Handler;
  OPTIONS: Handler;
  app: Hono;
}

/** The runtime's wait limit, lowered by the user's own `max` (the default follows it). */
function waitBounds(limit: number, given: QueueRoutesOptions["waitMs"]) {
  const max = given?.max ?? limit;
  return {
    max,
    default: given?.default ?? (typeof max === "number" ? Math.min(limit, max) : limit),
  };
}

/** Builds the handlers. */
export function vercelHandlers<J extends JobDefinitions>(
  options: VercelOptions<J>,
): VercelHandlers {
  const runtime = options.runtime ?? "edge";
  if (!Object.hasOwn(LIMITS, runtime)) {
    throw new ValidationError('runtime must be "edge" or "nodejs"', "runtime");
  }
  const limits = LIMITS[runtime];
  const { worker, waitUntil } = options;
  const budgetMs = options.budgetMs ?? limits.budgetMs;
  const routes = queueRoutes(options.queue, {
    ...options.routes,
    worker,
    budgetMs,
    cronSecret: options.cronSecret,
    sse: { maxStreamMs: limits.maxStreamMs, ...options.routes.sse },
    waitMs: waitBounds(limits.waitMs, options.routes.waitMs),
    onEnqueued:
      worker && waitUntil
        ? (_c, ids) =>
            waitUntil(sharedDrain(worker, { budgetMs: limits.waitMs, maxJobs: ids.length }))
        : undefined,
  });
  const app = new Hono().route(options.basePath ?? "/api/queue", routes);
  const handler: Handler = async (request) => handle(app)(request);
  return {
    GET: handler,
    HEAD: handler,
    POST: handler,
    PUT: handler,
    DELETE: handler,
    OPTIONS: handler,
    app,
  };
}
