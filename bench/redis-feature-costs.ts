/**
 * Exact Redis command counts (INFO commandstats, commands run inside scripts included) of a
 * queue that uses no keys, limits or schedules, and what each feature adds: per job life
 * (enqueue, claim, 3 progress updates, complete, as bench/store-calls.ts), per claim + complete
 * (one claim(), one complete()), and per empty claim. Standalone, not part of `npm run bench`:
 *
 *   npx tsx bench/redis-feature-costs.ts
 */
import { Redis as IORedis } from "ioredis";
import { startRedisServer } from "../devtools/redis-server.js";
import { fromIoredis, redisBackend } from "../src/backends/redis/index.js";
import { type EnqueueOptions, type Job, JobQueue } from "../src/index.js";

interface Variant {
  job?: EnqueueOptions;
  setup?: (queue: JobQueue) => Promise<void>;
}

const limits = (queue: JobQueue) => queue.setLimits({ keys: { concurrency: 2 } });

const VARIANTS: Record<string, Variant> = {
  plain: {},
  "limits stored (key concurrency 2), unkeyed jobs": { setup: limits },
  "keyed jobs (one key), key concurrency 2": { setup: limits, job: { concurrencyKey: "tenant" } },
  "one schedule (not due)": {
    setup: async (queue) => {
      await queue.schedule("s", { cron: "0 0 1 1 *", type: "noop" });
    },
  },
};

const server = await startRedisServer();
const admin = new IORedis(server.url);
const client = new IORedis(server.url);
const backend = redisBackend({ redis: fromIoredis(client), prefix: "cost" });

/** Server-side commands `fn` causes, per run (the admin's INFO and CONFIG left out). */
async function commands(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await admin.config("RESETSTAT");
  for (let i = 0; i < runs; i++) await fn();
  const info = await admin.info("commandstats");
  const total = [...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)]
    .filter((m) => m[1] !== "info" && m[1] !== "config")
    .reduce((sum, m) => sum + Number(m[2]), 0);
  return total / runs;
}

try {
  for (const [name, variant] of Object.entries(VARIANTS)) {
    const queue = new JobQueue({
      backend,
      name: `f-${crypto.randomUUID().slice(0, 8)}`,
      progressIntervalMs: 0,
    });
    await variant.setup?.(queue);
    const life = async () => {
      await queue.enqueue("noop", { n: 1 }, variant.job);
      const job = (await queue.claim()) as Job;
      for (const progress of [0.25, 0.5, 0.75]) await queue.update(job, { progress });
      await queue.complete(job, { ok: true });
    };
    await life(); // warm-up: each script's first call is an EVAL
    const perLife = await commands(10, life);
    await queue.enqueueMany(
      Array.from({ length: 10 }, (_, i) => ({ type: "noop", payload: i, options: variant.job })),
    );
    const perClaimComplete = await commands(10, async () => {
      await queue.complete((await queue.claim()) as Job, null);
    });
    const perEmptyClaim = await commands(10, () => queue.claim());
    console.log(
      `${name.padEnd(48)} life ${perLife}  claim+complete ${perClaimComplete}  ` +
        `empty claim ${perEmptyClaim}`,
    );
    await queue.unschedule("s");
    await queue.purge();
  }
} finally {
  client.disconnect();
  admin.disconnect();
  await server.stop();
}
