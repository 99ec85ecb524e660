/** The Redis-only Worker with `@upstash/redis`' `Redis` as the client: what the SDK adds. */
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
