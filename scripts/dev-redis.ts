/**
 * `npm run dev:redis`: a local Redis with an Upstash-compatible REST endpoint, for offline
 * development with `@upstash/redis`. Prints the environment variables to use; Ctrl-C stops it.
 * Set UPSTASH_PORT to pin the REST port.
 */
import { randomBytes } from "node:crypto";
import { hasRedisServer, startRedisServer } from "../test/support/redis-server.js";
import { startUpstashRestServer } from "../test/support/upstash-rest-server.js";

if (!hasRedisServer()) {
  console.error("redis-server is not installed (Debian: apt-get install -y redis-server)");
  process.exit(1);
}
const redis = await startRedisServer();
const token = randomBytes(24).toString("base64url");
const port = process.env.UPSTASH_PORT ? Number(process.env.UPSTASH_PORT) : undefined;
const endpoint = await startUpstashRestServer({ redisUrl: redis.url, token, port });

console.log(`redis-server on ${redis.url}, Upstash REST endpoint on ${endpoint.url}\n`);
console.log(`export UPSTASH_REDIS_REST_URL=${endpoint.url}`);
console.log(`export UPSTASH_REDIS_REST_TOKEN=${token}`);
console.log(`export REDIS_URL=${redis.url}\n`);
console.log("Ctrl-C to stop.");

const stop = async () => {
  await endpoint.close();
  await redis.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
