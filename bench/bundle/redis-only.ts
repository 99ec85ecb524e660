/** The example Worker with only the Redis backend (Upstash REST, `upstashRest`): built to measure its bundle. */
import { redisBackend, upstashRest } from "jdobb-async-queue/redis";
import { exampleWorker } from "../../examples/cloudflare/queue-worker";

export default exampleWorker((env) =>
  redisBackend({
    redis: upstashRest({
      url: env.UPSTASH_REDIS_REST_URL ?? "",
      token: env.UPSTASH_REDIS_REST_TOKEN ?? "",
    }),
  }),
);
