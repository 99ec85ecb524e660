/**
 * Redis backend: over REST with {@link upstashRest} or `@upstash/redis` (Workers, Vercel Edge,
 * anywhere with fetch), or over TCP with ioredis through {@link fromIoredis}. Same Lua scripts,
 * same semantics.
 *
 * @example
 * import { redisBackend, upstashRest } from "jdobb-async-queue/redis";
 * const backend = redisBackend({
 *   redis: upstashRest({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }),
 * });
 */
import {
  BACKEND_FEATURES,
  type Backend,
  type GroupedCompletionMethods,
  type LimitMethods,
  type PushMethods,
  type ScheduleMethods,
} from "../../backend.js";
import { ValidationError } from "../../errors.js";
import { RedisBackend } from "./backend.js";
import { clientKind, type RedisScriptClient, subscriberOf } from "./client.js";

export { fromIoredis, type IoredisLike, type RedisScriptClient } from "./client.js";
export { type UpstashRestOptions, upstashRest } from "./rest-client.js";

/** Options for {@link redisBackend}. */
export interface RedisBackendOptions {
  /** `upstashRest({ url, token })`, an `@upstash/redis` `Redis`, or `fromIoredis(ioredisClient)`. */
  redis: RedisScriptClient;
  /** Key prefix; each queue's keys live under `<prefix>:{<queue>}:`. Default `jdobb`. */
  prefix?: string;
}

/** Upstash's request limit is 10 MB; leave room for the rest of the command. */
const MAX_PAYLOAD_BYTES = 5_000_000;

/** A Redis backend: the required core and every optional group (push when the client subscribes). */
export type RedisQueueBackend = Backend &
  ScheduleMethods &
  LimitMethods &
  GroupedCompletionMethods &
  PushMethods;

/** Creates a Redis backend. Does no I/O: scripts are loaded on first use. */
export function redisBackend(options: RedisBackendOptions): RedisQueueBackend {
  if (typeof options?.redis?.evalsha !== "function" || typeof options.redis.eval !== "function") {
    throw new ValidationError(
      "redis must be upstashRest(…), an @upstash/redis client or fromIoredis(…)",
      "redis",
    );
  }
  const prefix = options.prefix ?? "jdobb";
  if (!/^[\w.:-]{1,64}$/.test(prefix)) {
    throw new ValidationError("prefix must be 1-64 characters of [A-Za-z0-9_.:-]", "prefix");
  }
  const subscriber = subscriberOf(options.redis);
  return new RedisBackend({
    redis: options.redis,
    prefix,
    name: `redis(${clientKind(options.redis)})`,
    // Schedules, limits and grouped completions are all Lua scripts; push needs a client that
    // can subscribe (an @upstash/redis client, or ioredis with its `duplicate`).
    capabilities: {
      maxPayloadBytes: MAX_PAYLOAD_BYTES,
      features: subscriber ? BACKEND_FEATURES : BACKEND_FEATURES.filter((f) => f !== "push"),
    },
    subscriber,
  });
}
