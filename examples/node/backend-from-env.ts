/**
 * Picks the demo's backend from the environment: Upstash REST when UPSTASH_REDIS_REST_URL is
 * set, Redis over TCP when REDIS_URL is set, else an embedded libSQL file.
 */
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { libsqlBackend } from "../../src/backends/libsql/node.js";
import { fromIoredis, redisBackend } from "../../src/backends/redis/index.js";
import type { Backend } from "../../src/index.js";

export function backendFromEnv(env = process.env): { backend: Backend; label: string } {
  if (env.UPSTASH_REDIS_REST_URL) {
    const redis = UpstashRedis.fromEnv();
    return {
      backend: redisBackend({ redis }),
      label: `Upstash REST at ${env.UPSTASH_REDIS_REST_URL}`,
    };
  }
  if (env.REDIS_URL) {
    const redis = fromIoredis(new IORedis(env.REDIS_URL));
    return {
      backend: redisBackend({ redis }),
      label: `Redis (TCP) at ${env.REDIS_URL}`,
    };
  }
  const url = env.LIBSQL_URL ?? "file:demo-queue.db";
  return { backend: libsqlBackend({ url }), label: `embedded libSQL at ${url}` };
}
