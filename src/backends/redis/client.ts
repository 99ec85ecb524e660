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
  const adapted: RedisScriptClient = {
    evalsha: (sha1, keys, args) => client.evalsha(sha1, keys.length, ...keys, ...args),
    eval: (script, keys, args) => client.eval(script, keys.length, ...keys, ...args),
  };
  overTcp.add(adapted);
  return adapted;
}

/** Clients made by {@link fromIoredis}: the backend names itself by the client's kind. */
const overTcp = new WeakSet<RedisScriptClient>();

/** How `client` reaches Redis: `tcp` for {@link fromIoredis} clients, else `http` (REST). */
export function clientKind(client: RedisScriptClient): "http" | "tcp" {
  return overTcp.has(client) ? "tcp" : "http";
}
