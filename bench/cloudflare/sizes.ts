/** Section 7's sizes per bench mode (bench/cloudflare-stores.ts). */
import type { Mode } from "../lib/options.js";

/** The sizes of one run of section 7. */
export interface CloudflareSizes {
  /** Jobs per throughput run, enqueued in batches of `batch`. */
  jobs: number;
  batch: number;
  /** Measured runs per store, after `warmups` discarded throughput runs of the same size. */
  runs: number;
  warmups: number;
  /** `ctx.update()` calls per followed job, `gapMs` apart. */
  updates: number;
  gapMs: number;
  /** Parallel `stats()` loops over some queues, each shape run for `ceilingMs`. */
  ceiling: Array<{ parallel: number; queues: number }>;
  ceilingMs: number;
}

/** P = 1, 8, 32 loops on one queue (one object), then 32 spread over 4 queues. */
const ONE_QUEUE_THEN_FOUR = [
  { parallel: 1, queues: 1 },
  { parallel: 8, queues: 1 },
  { parallel: 32, queues: 1 },
  { parallel: 32, queues: 4 },
];

/** Each mode's sizes. */
export const CLOUDFLARE_SIZES: Record<Mode, CloudflareSizes> = {
  full: {
    jobs: 2_000,
    batch: 100,
    runs: 5,
    warmups: 3,
    updates: 50,
    gapMs: 20,
    ceiling: ONE_QUEUE_THEN_FOUR,
    ceilingMs: 3_000,
  },
  quick: {
    jobs: 500,
    batch: 100,
    runs: 3,
    warmups: 1,
    updates: 50,
    gapMs: 20,
    ceiling: ONE_QUEUE_THEN_FOUR,
    ceilingMs: 2_000,
  },
  smoke: {
    jobs: 30,
    batch: 10,
    runs: 1,
    warmups: 1,
    updates: 3,
    gapMs: 20,
    ceiling: [
      { parallel: 1, queues: 1 },
      { parallel: 4, queues: 2 },
    ],
    ceilingMs: 200,
  },
};
