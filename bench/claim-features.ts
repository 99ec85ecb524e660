/**
 * What concurrency keys and schedules cost a claim, as a ratio to the plain claim in the same
 * run (10 workers × concurrency 1, noop handler), and how soon a new key's first job starts
 * behind another key's backlog.
 */
import { cron } from "../src/cron.js";
import { JobQueue } from "../src/index.js";
import { tempDir } from "../test/support/temp-dir.js";
import { backendFor, CONFIGS, type Config, type Endpoints } from "./lib/servers.js";
import { median, round } from "./lib/stats.js";
import * as throughput from "./throughput.js";

/** The claim paths compared: plain, jobs spread over 1,000 keys, 100 schedules alongside. */
export const VARIANTS: Record<string, throughput.Variant> = {
  plain: {},
  "1,000 keys, limit 2 each": {
    queue: { keys: { concurrency: 2 } },
    job: (i) => ({ concurrencyKey: `tenant-${i % 1_000}` }),
  },
  "100 schedules (not due)": {
    queue: { cron },
    async setup(producer) {
      for (let i = 0; i < 100; i++) {
        await producer.schedule(`s-${i}`, { cron: "0 0 1 1 *", type: "noop" });
      }
    },
  },
};

export interface FeatureRow {
  config: Config;
  variant: string;
  jobsPerSecond: number;
  /** Jobs per second ÷ the plain claim's, same store, same run. */
  ratio: number;
}

/** Medians of `runs` runs per store and variant. */
export async function claimFeatures(
  servers: Endpoints,
  jobs: number,
  runs: number,
): Promise<FeatureRow[]> {
  const rows: FeatureRow[] = [];
  for (const config of CONFIGS) {
    let plain = 0;
    for (const [variant, spec] of Object.entries(VARIANTS)) {
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        samples.push(
          (await throughput.ours(config, servers, jobs, 1, { variant: spec })).jobsPerSecond,
        );
      }
      const jobsPerSecond = round(median(samples));
      if (variant === "plain") plain = jobsPerSecond;
      rows.push({ config, variant, jobsPerSecond, ratio: round(jobsPerSecond / plain, 2) });
    }
  }
  return rows;
}

/**
 * Key A holds `backlog` queued jobs and is being worked one claim at a time; then key B
 * enqueues one job. Returns how many claims it took until B's job started (1 = the next).
 */
export async function fairness(
  config: Config,
  servers: Endpoints,
  backlog: number,
): Promise<number> {
  const dir = tempDir();
  const { backend, close } = backendFor(config, servers, `file:${dir.path}/fair.db`);
  const queue = new JobQueue({ backend, name: `fair-${crypto.randomUUID().slice(0, 8)}` });
  try {
    for (let i = 0; i < backlog; i += 500) {
      const size = Math.min(500, backlog - i);
      await queue.enqueueMany(
        Array.from({ length: size }, () => ({ type: "noop", options: { concurrencyKey: "A" } })),
      );
    }
    for (let i = 0; i < 10; i++) {
      const job = await queue.claim();
      if (job) await queue.complete(job, null);
    }
    const b = await queue.enqueue("noop", null, { concurrencyKey: "B" });
    for (let claims = 1; claims <= backlog; claims++) {
      const job = await queue.claim();
      if (!job) break;
      await queue.complete(job, null);
      if (job.id === b) return claims;
    }
    throw new Error("B's job never started");
  } finally {
    await queue.purge();
    await close();
    dir.remove();
  }
}
