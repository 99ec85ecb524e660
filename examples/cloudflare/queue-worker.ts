/**
 * The example Worker around any backend: the queue's HTTP API on `fetch`, a cron-triggered drain
 * on `scheduled`, and a kick after each enqueue. `worker.ts` picks the backend from the
 * bindings; the bench builds one-backend variants from this too (`bench/bundle/`), to measure
 * what each backend adds to the bundle.
 */
import { type CloudflareWorker, cloudflareWorker } from "../../adapters/cloudflare.js";
import { type Backend, JobQueue, Worker } from "../../src/index.js";
import { registerEdgeHandlers } from "../shared/edge-jobs.js";
import { requiredSecret } from "../shared/env.js";

/** The example's bindings (secrets and vars; see the root `wrangler.toml`). */
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

/** The Worker's default export, storing jobs in the backend `backendFrom` builds from `env`. */
export function exampleWorker(backendFrom: (env: Env) => Backend): CloudflareWorker<Env> {
  return cloudflareWorker<Env>({
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
}
