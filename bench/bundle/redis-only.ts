/** The example Worker with only the Redis backend (Upstash REST): built to measure its bundle. */
import { Redis } from "@upstash/redis/cloudflare";
import { redisBackend } from "jdobb-async-queue/redis";
import { exampleWorker } from "../../examples/cloudflare/queue-worker";

export default exampleWorker((env) =>
  redisBackend({
    redis: new Redis({
      url: env.UPSTASH_REDIS_REST_URL ?? "",
      token: env.UPSTASH_REDIS_REST_TOKEN ?? "",
    }),
  }),
);
