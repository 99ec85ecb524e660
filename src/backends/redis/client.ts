/**
 * The part of a Redis client the backend uses, typed structurally: `@upstash/redis` (and
 * `@upstash/redis/cloudflare`) instances fit as they are; {@link fromIoredis} adapts ioredis.
 */

/** Runs Lua: the shape of `@upstash/redis`'s `evalsha` / `eval`. */
export interface RedisScriptClient {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/** The ioredis methods {@link fromIoredis} calls (variadic EVALSHA / EVAL). */
export interface IoredisLike {
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
}

/**
 * Adapts an ioredis client (Redis over TCP, for Node deployments with their own Redis) to the
 * backend: same scripts, same semantics.
 *
 * @example
 * import { Redis } from "ioredis";
 * const backend = redisBackend({ redis: fromIoredis(new Redis(process.env.REDIS_URL)) });
 */
export function fromIoredis(client: IoredisLike): RedisScriptClient {
  return {
    evalsha: (sha1, keys, args) => client.evalsha(sha1, keys.length, ...keys, ...args),
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
  };
}
