/**
 * The queue and worker of the Vercel example, from environment variables (Vercel inlines them
 * into Edge functions): Upstash Redis (UPSTASH_REDIS_REST_URL + _TOKEN, as the Upstash
 * integration sets them) or Turso / libSQL (LIBSQL_URL + LIBSQL_AUTH_TOKEN).
 */
import { Redis } from "@upstash/redis";
import { libsqlBackend } from "../../../src/backends/libsql/index.js";
import { redisBackend } from "../../../src/backends/redis/index.js";
import { type Backend, JobQueue, Worker } from "../../../src/index.js";
import { registerEdgeHandlers } from "../../shared/edge-jobs.js";

function backend(): Backend {
  // Direct process.env.NAME references: that is what bundlers inline for the Edge runtime.
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  if (url && token) return redisBackend({ redis: new Redis({ url, token }) });
  if (process.env.LIBSQL_URL) {
    return libsqlBackend({ url: process.env.LIBSQL_URL, authToken: process.env.LIBSQL_AUTH_TOKEN });
  }
  throw new Error("set UPSTASH_REDIS_REST_URL/_TOKEN or LIBSQL_URL");
}

export const queue = new JobQueue({ backend: backend(), name: "vercel" });

export const worker = registerEdgeHandlers(new Worker(queue, { concurrency: 4 }));
