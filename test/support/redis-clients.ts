/** Redis backends for tests: through @upstash/redis and the local REST endpoint, or TCP. */
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { inject } from "vitest";
import {
  startUpstashRestServer,
  type UpstashRestServer,
} from "../../devtools/upstash-rest-server.js";
import { fromIoredis, redisBackend } from "../../src/backends/redis/index.js";

/** The test run's redis-server URL, or "" when Redis tests are skipped (locally only). */
export const redisUrl = inject("redisUrl");

/** A REST endpoint in front of the run's redis-server, and an @upstash/redis client for it. */
export async function upstashSetup(options: { automaticDeserialization?: boolean } = {}) {
  const endpoint: UpstashRestServer = await startUpstashRestServer({
    redisUrl,
    token: "test-token",
  });
  const redis = new UpstashRedis({ url: endpoint.url, token: endpoint.token, ...options });
  return { endpoint, redis, backend: redisBackend({ redis, prefix: "jt" }) };
}

/** An ioredis connection to the run's redis-server, and a backend over it. */
export function tcpSetup() {
  const client = new IORedis(redisUrl, { maxRetriesPerRequest: 1 });
  return {
    client,
    backend: redisBackend({ redis: fromIoredis(client), prefix: "jt" }),
  };
}
