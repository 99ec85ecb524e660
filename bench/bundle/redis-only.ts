/** The example Worker with only the Redis backend (Upstash REST): built to measure its bundle. */
import { Redis } from "@upstash/redis/cloudflare";
import { exampleWorker } from "../../examples/cloudflare/queue-worker.js";
import { redisBackend } from "../../src/backends/redis/index.js";

export default exampleWorker((env) =>
  redisBackend({
    redis: new Redis({
      url: env.UPSTASH_REDIS_REST_URL ?? "",
      token: env.UPSTASH_REDIS_REST_TOKEN ?? "",
    }),
  }),
);
