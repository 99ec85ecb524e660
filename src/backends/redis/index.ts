/**
 * Redis backend: over REST with `@upstash/redis` (Workers, Vercel Edge, anywhere with fetch),
 * or over TCP with ioredis through {@link fromIoredis}. Same Lua scripts, same semantics.
 *
 * @example
 * import { Redis } from "@upstash/redis";
 * import { redisBackend } from "jdobb-async-queue/redis";
 * const backend = redisBackend({ redis: Redis.fromEnv() });
 */
import type { Backend } from "../../backend.js";
import { ValidationError } from "../../errors.js";
import { RedisBackend } from "./backend.js";
import type { RedisScriptClient } from "./client.js";

export { fromIoredis, type IoredisLike, type RedisScriptClient } from "./client.js";

/** Options for {@link redisBackend}. */
export interface RedisBackendOptions {
  /** An `@upstash/redis` `Redis`, or `fromIoredis(ioredisClient)`. */
  redis: RedisScriptClient;
  /** Key prefix; each queue's keys live under `<prefix>:{<queue>}:`. Default `jdobb`. */
  prefix?: string;
  /** `http` (default) for REST clients, `tcp` for ioredis: informs adapters only. */
  transport?: "http" | "tcp";
}

/** Upstash's request limit is 10 MB; leave room for the rest of the command. */
const MAX_PAYLOAD_BYTES = 5_000_000;

/** Creates a Redis backend. Does no I/O: scripts are loaded on first use. */
export function redisBackend(options: RedisBackendOptions): Backend {
  if (typeof options?.redis?.evalsha !== "function" || typeof options.redis.eval !== "function") {
    throw new ValidationError("redis must be an @upstash/redis client or fromIoredis(…)", "redis");
  }
  const prefix = options.prefix ?? "jdobb";
  if (!/^[\w.:-]{1,64}$/.test(prefix)) {
    throw new ValidationError("prefix must be 1-64 characters of [A-Za-z0-9_.:-]", "prefix");
  }
  const transport = options.transport ?? "http";
  return new RedisBackend({
    redis: options.redis,
    prefix,
    name: `redis(${transport})`,
    capabilities: { transport, maxPayloadBytes: MAX_PAYLOAD_BYTES },
  });
}
