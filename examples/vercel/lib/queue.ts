/**
 * The app's queue and worker, from environment variables (Vercel inlines them into Edge
 * functions): Upstash Redis (UPSTASH_REDIS_REST_URL + _TOKEN, as the Upstash integration sets
 * them) or Turso / libSQL (LIBSQL_URL + LIBSQL_AUTH_TOKEN). Import `queue` anywhere on the
 * server to enqueue jobs (`await queue.enqueue("slugify", { title })`).
 */
import { type Backend, JobQueue, Worker } from "jdobb-async-queue";
import { libsqlBackend } from "jdobb-async-queue/libsql";
import { redisBackend, upstashRest } from "jdobb-async-queue/redis";
import { jobs, registerHandlers } from "./jobs";

function backend(): Backend {
  // Direct process.env.NAME references: that is what bundlers inline for the Edge runtime.
  const url = process.env.UPSTASH_REDIS_REST_URL;
  const token = process.env.UPSTASH_REDIS_REST_TOKEN;
  // upstashRest: the REST client the backend needs (EVAL / EVALSHA); `@upstash/redis` fits too.
  if (url && token) return redisBackend({ redis: upstashRest({ url, token }) });
  if (process.env.LIBSQL_URL) {
    return libsqlBackend({ url: process.env.LIBSQL_URL, authToken: process.env.LIBSQL_AUTH_TOKEN });
  }
  throw new Error("set UPSTASH_REDIS_REST_URL and _TOKEN, or LIBSQL_URL (see the README)");
}

export const queue = new JobQueue({ backend: backend(), name: "vercel", jobs });

export const worker = registerHandlers(new Worker(queue, { concurrency: 4 }));
