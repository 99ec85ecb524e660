/**
 * The example Worker around any backend: the queue's HTTP API on `fetch`, a cron-triggered drain
 * on `scheduled`, and a kick after each enqueue, over the backend `backendFrom` picks from the
 * bindings. `worker.ts` adds the dashboard; this repository's bench builds variants from this
 * too (`bench/bundle/`), to measure what each backend, the dashboard and cron add. To
 * keep one store, delete the other's branch of `backendFrom` and its import.
 */
import { type Backend, JobQueue, type JobQueueOptions, Worker } from "jdobb-async-queue";
import { type CloudflareWorker, cloudflareWorker } from "jdobb-async-queue/cloudflare";
import type { Dashboard } from "jdobb-async-queue/hono";
import { libsqlBackend } from "jdobb-async-queue/libsql";
import { redisBackend, upstashRest } from "jdobb-async-queue/redis";
import { jobs, registerHandlers } from "./jobs";

/** The Worker's bindings: secrets and vars (see `wrangler.toml` and the README). */
export interface Env {
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
  /** Bearer token for enqueue and admin routes (a secret: `wrangler secret put API_TOKEN`). */
  API_TOKEN?: string;
  /** Signs per-job stream tokens for browsers (a secret, 16+ characters). */
  STREAM_SECRET?: string;
  /** Drain budget of a cron tick, ms (a var). Default 25000. */
  BUDGET_MS?: string;
  /** "false" leaves new jobs to the cron tick instead of kicking a drain after enqueue. */
  KICK?: string;
  /** The origin browsers may call the API from (a var). Default `*`. */
  CORS_ORIGIN?: string;
}

/** The backend the bindings configure: Upstash Redis or libSQL. */
export function backendFrom(env: Env): Backend {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    // upstashRest: the few hundred bytes of REST client the backend needs (`@upstash/redis`'s
    // `Redis` fits too, with every other command: about 17 KiB gzip more).
    const redis = upstashRest({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
    });
    return redisBackend({ redis });
  }
  if (env.LIBSQL_URL)
    return libsqlBackend({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN });
  throw new Error("set UPSTASH_REDIS_REST_URL and _TOKEN, or LIBSQL_URL (see the README)");
}

/** A secret binding of 16+ characters, or an error naming it (on the first request). */
function secret(env: Env, name: "API_TOKEN" | "STREAM_SECRET"): string {
  const value = env[name];
  if (!value || value.length < 16) {
    throw new Error(
      `set the ${name} environment variable (a secret of 16+ characters: wrangler secret put ${name})`,
    );
  }
  return value;
}

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
      const queue = new JobQueue({ backend: backendFrom(env), name: "edge", jobs, cron });
      const worker = registerHandlers(new Worker(queue, { concurrency: 4 }));
      return {
        queue,
        worker,
        budgetMs: Number(env.BUDGET_MS ?? 25_000),
        kick: env.KICK === "false" ? false : { budgetMs: 20_000 },
        routes: {
          auth: { tokens: [secret(env, "API_TOKEN")] },
          streamSecret: secret(env, "STREAM_SECRET"),
          cors: { origin: env.CORS_ORIGIN ?? "*" },
          dashboard,
        },
      };
    },
  });
}
