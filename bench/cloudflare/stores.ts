/**
 * The stores the bench Worker measures, by the `store` query parameter. Adding a store is one
 * entry here and one in `CLOUDFLARE_STORES` (bench/cloudflare-stores.ts: its label, bindings
 * and Miniflare options).
 */
import type { Backend } from "../../src/backend.js";
import { type D1DatabaseLike, d1Backend } from "../../src/backends/d1/index.js";
import { durableObjectBackend } from "../../src/backends/durable-object/backend.js";
import type { QueueObjectNamespace } from "../../src/backends/durable-object/platform.js";
import { redisBackend, upstashRest } from "../../src/backends/redis/index.js";

/** The bench Worker's bindings (Miniflare options of bench/cloudflare-stores.ts). */
export interface BenchEnv {
  /** `QueueObject`, SQLite-backed. */
  QUEUES: QueueObjectNamespace;
  /** The local Upstash-compatible REST endpoint (devtools/upstash-rest-server.ts). */
  UPSTASH_URL: string;
  UPSTASH_TOKEN: string;
  /** A D1 database (Miniflare's local SQLite). */
  DB: D1DatabaseLike;
}

/** Opens a new backend on a store (each queue object of a measurement gets its own). */
export type OpenBackend = (env: BenchEnv) => Backend;

/** Every store the Worker can measure. */
export const WORKER_STORES: Record<string, OpenBackend> = {
  "durable-object": (env) => durableObjectBackend(env.QUEUES),
  upstash: (env) =>
    redisBackend({
      redis: upstashRest({ url: env.UPSTASH_URL, token: env.UPSTASH_TOKEN }),
      prefix: "cf-bench",
    }),
  d1: (env) => d1Backend(env.DB),
};
