/** The Redis-only Worker whose queue can schedule jobs (`cron`): what croner adds. */
import { cron } from "jdobb-async-queue/cron";
import { redisBackend, upstashRest } from "jdobb-async-queue/redis";
import { exampleWorker } from "../../examples/cloudflare/queue-worker";

export default exampleWorker(
  (env) =>
    redisBackend({
      redis: upstashRest({
        url: env.UPSTASH_REDIS_REST_URL ?? "",
        token: env.UPSTASH_REDIS_REST_TOKEN ?? "",
      }),
    }),
  { cron },
);
