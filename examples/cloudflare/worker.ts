/**
 * The Cloudflare Workers example (built by the root `wrangler.toml`): the Worker of
 * `queue-worker.ts`, storing jobs in Upstash Redis (UPSTASH_REDIS_REST_URL + _TOKEN) or
 * libSQL / Turso (LIBSQL_URL + LIBSQL_AUTH_TOKEN), whichever the bindings configure.
 */
import { Redis } from "@upstash/redis/cloudflare";
import { libsqlBackend } from "../../src/backends/libsql/index.js";
import { redisBackend } from "../../src/backends/redis/index.js";
import type { Backend } from "../../src/index.js";
import { type Env, exampleWorker } from "./queue-worker.js";

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

export default exampleWorker(backendFrom);
