/**
 * The stores the example Worker can keep its jobs in, one function each, and `backendFrom`,
 * which picks one by the `STORE` var. Keep the one you use and delete the others' functions and
 * imports: a Worker carries only the stores it imports.
 */
import type { Backend } from "jdobb-async-queue";
import { type D1DatabaseLike, d1Backend } from "jdobb-async-queue/d1";
import { durableObjectBackend, type QueueObjectNamespace } from "jdobb-async-queue/durable-object";
import { libsqlBackend } from "jdobb-async-queue/libsql";
import { redisBackend, upstashRest } from "jdobb-async-queue/redis";

/** The bindings the stores read (see `wrangler.toml`). */
export interface StoreEnv {
  /** `durable-object` (default), `d1`, `upstash` or `turso`. */
  STORE?: string;
  /** The Durable Object namespace of `QueueObject` (the default store). */
  QUEUES?: QueueObjectNamespace;
  /** A D1 database (`STORE = "d1"`). */
  DB?: D1DatabaseLike;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  LIBSQL_URL?: string;
  LIBSQL_AUTH_TOKEN?: string;
}

/** A binding the chosen store needs, or an error naming it. */
function needed<T>(value: T | undefined, name: string, store: string): T {
  if (value === undefined || value === "") {
    throw new Error(`STORE = "${store}" needs ${name} (see the example's README)`);
  }
  return value;
}

/** Jobs in a SQLite-backed Durable Object per queue: nothing outside Cloudflare. */
export const durableObjectStore = (env: StoreEnv): Backend =>
  durableObjectBackend(needed(env.QUEUES, "the QUEUES Durable Object binding", "durable-object"));

/** Jobs in a D1 database: Cloudflare's too; progress streams poll it. */
export const d1Store = (env: StoreEnv): Backend =>
  d1Backend(needed(env.DB, "the DB D1 binding", "d1"));

/** Jobs in Upstash Redis, over REST. */
export function upstashStore(env: StoreEnv): Backend {
  // upstashRest: the few hundred bytes of REST client the backend needs (`@upstash/redis`'s
  // `Redis` fits too, with every other command: about 17 KiB gzip more).
  const redis = upstashRest({
    url: needed(env.UPSTASH_REDIS_REST_URL, "UPSTASH_REDIS_REST_URL", "upstash"),
    token: needed(env.UPSTASH_REDIS_REST_TOKEN, "UPSTASH_REDIS_REST_TOKEN", "upstash"),
  });
  return redisBackend({ redis });
}

/** Jobs in Turso (libSQL over HTTP). */
export const tursoStore = (env: StoreEnv): Backend =>
  libsqlBackend({
    url: needed(env.LIBSQL_URL, "LIBSQL_URL", "turso"),
    authToken: env.LIBSQL_AUTH_TOKEN,
  });

const STORES: Record<string, (env: StoreEnv) => Backend> = {
  "durable-object": durableObjectStore,
  d1: d1Store,
  upstash: upstashStore,
  turso: tursoStore,
};

/** The store `STORE` names (default `durable-object`). */
export function backendFrom(env: StoreEnv): Backend {
  const name = env.STORE ?? "durable-object";
  const store = STORES[name];
  if (!store) throw new Error(`STORE must be one of ${Object.keys(STORES).join(", ")}`);
  return store(env);
}
