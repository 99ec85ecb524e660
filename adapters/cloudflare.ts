/**
 * Cloudflare Workers: the Worker's `{ fetch, scheduled }` from a factory that receives `env`.
 * `fetch` serves the queue routes; `scheduled` (the cron trigger) drains the queue inside
 * `ctx.waitUntil`; an enqueue can "kick" a short drain so a job starts before the next tick.
 * The queue, worker and store clients are built once per isolate and reused.
 *
 * @example
 * export default cloudflareWorker<Env>({
 *   setup: (env) => {
 *     const queue = new JobQueue({ backend: redisBackend({ redis: new Redis({ url, token }) }) });
 *     return { queue, worker: new Worker(queue).handler("email", send), budgetMs: 25_000,
 *              routes: { auth: { tokens: [env.API_TOKEN] }, streamSecret: env.STREAM_SECRET } };
 *   },
 * });
 */
import { Hono } from "hono/tiny";
import type { UntypedJobs } from "../src/adapter-kit.js";
import type { JobDefinitions, JobQueue, Worker } from "../src/index.js";
import { type QueueRoutesOptions, queueRoutes } from "./hono.js";
import { msOption } from "./http/options.js";
import { sharedDrain } from "./http/shared-drain.js";

/**
 * Store calls one SSE stream may make by default (`sse.maxStorePolls`): with the route's own
 * look-up that stays under the Free plan's 50 subrequests per invocation. The stream then ends
 * and EventSource resumes, with `Last-Event-ID`, in a fresh invocation.
 */
export const WORKERS_MAX_STORE_POLLS = 40;

/** The parts of Workers' `ExecutionContext` used here (typed structurally). */
export interface WorkerContext {
  waitUntil(promise: Promise<unknown>): void;
}

/** The parts of Workers' `ScheduledController` used here. */
export interface WorkerScheduledEvent {
  cron: string;
  scheduledTime: number;
}

/** What the factory builds from the bindings. */
export interface CloudflareSetup<J extends JobDefinitions = UntypedJobs> {
  queue: JobQueue<J>;
  worker: Worker<J>;
  /**
   * Route options; `worker` and `onEnqueued` are filled in by the adapter, and
   * `sse.maxStorePolls` defaults to {@link WORKERS_MAX_STORE_POLLS} (on the Paid plan's 1000
   * subrequests, raise it).
   */
  routes: Omit<QueueRoutesOptions<J>, "worker" | "onEnqueued">;
  /**
   * Drain budget of a cron tick. Default 25 s: cron triggers on intervals under an hour get
   * 30 s of CPU (15 min wall); waiting on the store costs wall time, not CPU.
   */
  budgetMs?: number | undefined;
  /**
   * After an enqueue, drain up to the new jobs in `ctx.waitUntil` (which may run at most 30 s
   * past the response). Default `{ budgetMs: 20_000 }`; `false` leaves jobs to the cron.
   */
  kick?: { budgetMs?: number | undefined } | false | undefined;
}

/** Options for {@link cloudflareWorker}. */
export interface CloudflareOptions<Env, J extends JobDefinitions = UntypedJobs> {
  /** Builds the queue, worker and settings from the bindings; called once per isolate. */
  setup: (env: Env) => CloudflareSetup<J>;
  /** Where the routes are mounted. Default `/queue`. */
  basePath?: string | undefined;
}

/** The Worker's default export. */
export interface CloudflareWorker<Env> {
  fetch(request: Request, env: Env, ctx: WorkerContext): Promise<Response>;
  scheduled(event: WorkerScheduledEvent, env: Env, ctx: WorkerContext): Promise<void>;
}

interface Built<J extends JobDefinitions> {
  worker: Worker<J>;
  app: Hono;
  budgetMs: number;
}

/** Builds the Worker handlers. */
export function cloudflareWorker<
  Env extends object,
  // `any` by default: `cloudflareWorker<Env>(…)` names Env alone, and any queue's types fit.
  // biome-ignore lint/suspicious/noExplicitAny: the adapter does not look at job types
  J extends JobDefinitions = any,
>(options: CloudflareOptions<Env, J>): CloudflareWorker<Env> {
  const perIsolate = new WeakMap<Env, Built<J>>();

  const build = (env: Env): Built<J> => {
    const cached = perIsolate.get(env);
    if (cached) return cached;
    const { queue, worker, routes, ...settings } = options.setup(env);
    const kick =
      settings.kick === false
        ? null
        : { budgetMs: msOption(settings.kick?.budgetMs, "kick.budgetMs", 20_000) };
    const budgetMs = msOption(settings.budgetMs, "budgetMs", 25_000);
    const app = new Hono().route(
      options.basePath ?? "/queue",
      queueRoutes(queue, {
        ...routes,
        sse: { maxStorePolls: WORKERS_MAX_STORE_POLLS, ...routes.sse },
        // A request may not touch another request's I/O: each stream follows its job itself.
        streams: { ...routes.streams, share: false },
        worker,
        onEnqueued: kick
          ? (c, ids) =>
              c.executionCtx.waitUntil(sharedDrain(worker, { ...kick, maxJobs: ids.length }))
          : undefined,
      }),
    );
    const built = { worker, app, budgetMs };
    perIsolate.set(env, built);
    return built;
  };

  return {
    async fetch(request, env, ctx) {
      return build(env).app.fetch(request, env, ctx as never);
    },
    async scheduled(_event, env, ctx) {
      const { worker, budgetMs } = build(env);
      const drained = sharedDrain(worker, { budgetMs });
      ctx.waitUntil(drained);
      await drained; // a failed drain shows as the tick's exception in the dashboard
    },
  };
}
