/**
 * The example Worker around any backend: the queue's HTTP API on `fetch`, a cron-triggered drain
 * on `scheduled`, and a kick after each enqueue, over the backend a function of the bindings
 * builds (`stores.ts`). `worker.ts` adds the dashboard and the Durable Object store's classes;
 * this repository's bench builds variants from this too (`bench/bundle/`), to measure what
 * each store, the dashboard and cron add.
 */
import { type Backend, JobQueue, type JobQueueOptions, Worker } from "jdobb-async-queue";
import { type CloudflareWorker, cloudflareWorker } from "jdobb-async-queue/cloudflare";
import type { Dashboard } from "jdobb-async-queue/hono";
import { jobs, registerHandlers } from "./jobs";
import type { StoreEnv } from "./stores";

/** The Worker's bindings: the store's (see stores.ts), secrets and vars (see `wrangler.toml`). */
export interface Env extends StoreEnv {
  /** Bearer token for enqueue and admin routes (a secret: `wrangler secret put API_TOKEN`). */
  API_TOKEN?: string;
  /** Signs per-job stream tokens for browsers (a secret, 16+ characters; unset: no tokens). */
  STREAM_SECRET?: string;
  /** Drain budget of a cron tick, ms (a var). Default 25000. */
  BUDGET_MS?: string;
  /** "false" leaves new jobs to the cron tick instead of kicking a drain after enqueue. */
  KICK?: string;
  /** The origin browsers may call the API from (a var). Default `*`. */
  CORS_ORIGIN?: string;
}

/** A secret binding of 16+ characters, or an error naming it (on the first request). */
function secret(value: string | undefined, name: string): string {
  if (!value || value.length < 16) {
    throw new Error(
      `set the ${name} environment variable (a secret of 16+ characters: wrangler secret put ${name})`,
    );
  }
  return value;
}

/**
 * The key that signs browser stream tokens: STREAM_SECRET. Unset (a first `wrangler dev`, say),
 * enqueue answers carry no stream token and only API_TOKEN holders follow jobs. A key derived
 * from API_TOKEN would let anyone with a stream token test guesses of API_TOKEN offline.
 */
const streamKey = (env: Env) =>
  env.STREAM_SECRET === undefined ? false : secret(env.STREAM_SECRET, "STREAM_SECRET");

/** What the Worker adds, each from its own entry (a Worker without one carries none of it). */
export interface Extras {
  /** `dashboard()` of `jdobb-async-queue/dashboard`: served at `GET /queue/dashboard`. */
  dashboard?: Dashboard;
  /**
   * `cron` of `jdobb-async-queue/cron` (croner, about 10 KiB gzip): lets the queue schedule jobs
   * (`queue.schedule`, `PUT /queue/schedules/:id`) and fire them; without it those answer 501.
   */
  cron?: JobQueueOptions["cron"];
}

/**
 * The Worker's default export, storing jobs in the backend `backendFrom` builds from `env`,
 * with the {@link Extras} given.
 */
export function exampleWorker(
  backendFrom: (env: Env) => Backend,
  { dashboard, cron }: Extras = {},
): CloudflareWorker<Env> {
  return cloudflareWorker<Env>({
    setup(env) {
      const apiToken = secret(env.API_TOKEN, "API_TOKEN");
      const queue = new JobQueue({ backend: backendFrom(env), name: "edge", jobs, cron });
      const worker = registerHandlers(new Worker(queue, { concurrency: 4 }));
      return {
        queue,
        worker,
        budgetMs: Number(env.BUDGET_MS ?? 25_000),
        kick: env.KICK === "false" ? false : { budgetMs: 20_000 },
        routes: {
          auth: { tokens: [apiToken] },
          streamSecret: streamKey(env),
          cors: { origin: env.CORS_ORIGIN ?? "*" },
          dashboard,
        },
      };
    },
  });
}
