/**
 * The Cloudflare Workers example (built by the root `wrangler.toml`): the queue's HTTP API on
 * `fetch`, a cron-triggered drain on `scheduled`, and a kick after each enqueue.
 * Storage from bindings: Upstash Redis (UPSTASH_REDIS_REST_URL + _TOKEN) or libSQL / Turso
 * (LIBSQL_URL + LIBSQL_AUTH_TOKEN).
 */
import { Redis } from "@upstash/redis/cloudflare";
import { cloudflareWorker } from "../../adapters/cloudflare.js";
import { libsqlBackend } from "../../src/backends/libsql/index.js";
import { redisBackend } from "../../src/backends/redis/index.js";
import { type Backend, JobQueue, Worker } from "../../src/index.js";
import { registerEdgeHandlers } from "../shared/edge-jobs.js";
import { requiredSecret } from "../shared/env.js";

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
}

function backendFrom(env: Env): Backend {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    const redis = new Redis({
      url: env.UPSTASH_REDIS_REST_URL,
      token: env.UPSTASH_REDIS_REST_TOKEN,
    });
    return redisBackend({ redis });
  }
  if (env.LIBSQL_URL)
    return libsqlBackend({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN });
  throw new Error("configure UPSTASH_REDIS_REST_URL/_TOKEN or LIBSQL_URL");
}

export default cloudflareWorker<Env>({
  setup(env) {
    const queue = new JobQueue({ backend: backendFrom(env), name: "edge" });
    const worker = registerEdgeHandlers(new Worker(queue, { concurrency: 4 }));
    return {
      queue,
      worker,
      budgetMs: Number(env.BUDGET_MS ?? 25_000),
      kick: env.KICK === "false" ? false : { budgetMs: 20_000 },
      routes: {
        auth: { tokens: [requiredSecret("API_TOKEN", env.API_TOKEN)] },
        streamSecret: requiredSecret("STREAM_SECRET", env.STREAM_SECRET),
        cors: { origin: "*" },
      },
    };
  },
});
