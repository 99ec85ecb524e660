/**
 * The Cloudflare Workers example (`main` of `wrangler.toml`): the Worker of `queue-worker.ts`,
 * storing jobs in Upstash Redis (UPSTASH_REDIS_REST_URL + _TOKEN) or libSQL / Turso
 * (LIBSQL_URL + LIBSQL_AUTH_TOKEN), whichever the bindings configure.
 */
import { Redis } from "@upstash/redis/cloudflare";
import type { Backend } from "jdobb-async-queue";
import { dashboard } from "jdobb-async-queue/dashboard";
import { libsqlBackend } from "jdobb-async-queue/libsql";
import { redisBackend } from "jdobb-async-queue/redis";
import { type Env, exampleWorker } from "./queue-worker";

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
  throw new Error("set UPSTASH_REDIS_REST_URL and _TOKEN, or LIBSQL_URL (see the README)");
}

// GET /queue/dashboard: sign in with API_TOKEN. Without it, the Worker carries none of the page.
export default exampleWorker(backendFrom, dashboard());
