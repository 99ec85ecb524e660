/**
 * `npm run dev:redis`: a local Redis with an Upstash-compatible REST endpoint, for offline
 * development with `@upstash/redis`. Prints the environment variables to use; Ctrl-C stops it.
 * REDIS_PORT, UPSTASH_PORT and UPSTASH_TOKEN pin the Redis port, the REST port and the token,
 * so variables exported once keep working after a restart.
 */
import { randomBytes } from "node:crypto";
import { hasRedisServer, startRedisServer } from "./redis-server.js";
import { startUpstashRestServer } from "./upstash-rest-server.js";

if (!hasRedisServer()) {
  console.error("redis-server is not installed (Debian: apt-get install -y redis-server)");
  process.exit(1);
}
/** A port from the environment, or undefined for a free one; anything else: one line, exit 1. */
function portFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const port = Number(raw);
  if (Number.isInteger(port) && port > 0 && port < 65_536) return port;
  console.error(`${name} must be a port number (1-65535)`);
  process.exit(1);
}

const redisPort = portFrom("REDIS_PORT");
const port = portFrom("UPSTASH_PORT");
const redis = await startRedisServer({ port: redisPort });
const token = process.env.UPSTASH_TOKEN || randomBytes(24).toString("base64url");
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
