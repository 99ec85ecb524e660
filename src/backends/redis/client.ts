/**
 * The part of a Redis client the backend uses, typed structurally: `@upstash/redis` (and
 * `@upstash/redis/cloudflare`) instances fit as they are; {@link fromIoredis} adapts ioredis.
 */
import type { ChannelSubscriber } from "./notices.js";
import {
  type IoredisSubscriberLike,
  ioredisSubscriber,
  type UpstashSubscribable,
  upstashSubscriber,
} from "./subscribers.js";

/** Runs Lua: the shape of `@upstash/redis`'s `evalsha` / `eval`. */
export interface RedisScriptClient {
  evalsha(sha1: string, keys: string[], args: string[]): Promise<unknown>;
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/**
 * The ioredis methods {@link fromIoredis} calls (variadic EVALSHA / EVAL), and `duplicate` for
 * the connection that subscribes to pushed notices (feature `push`).
 */
export interface IoredisLike {
  evalsha(sha1: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...keysAndArgs: string[]): Promise<unknown>;
  duplicate?(): unknown;
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
  const { duplicate } = client;
  overTcp.set(
    adapted,
    typeof duplicate === "function"
      ? ioredisSubscriber(() => duplicate.call(client) as IoredisSubscriberLike)
      : null,
  );
  return adapted;
}

/**
 * Clients made by {@link fromIoredis} (the backend names itself by the client's kind), with
 * how each subscribes to notices.
 */
const overTcp = new WeakMap<RedisScriptClient, ChannelSubscriber | null>();

/** How `client` reaches Redis: `tcp` for {@link fromIoredis} clients, else `http` (REST). */
export function clientKind(client: RedisScriptClient): "http" | "tcp" {
  return overTcp.has(client) ? "tcp" : "http";
}

/** How `client` subscribes to pushed notices, or null if it cannot. */
export function subscriberOf(client: RedisScriptClient): ChannelSubscriber | null {
  if (overTcp.has(client)) return overTcp.get(client) ?? null;
  const rest = client as Partial<UpstashSubscribable>;
  return typeof rest.subscribe === "function"
    ? upstashSubscriber(rest as UpstashSubscribable)
    : null;
}
