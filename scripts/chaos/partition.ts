/**
 * The network-partition fault: a {@link BlackholeProxy} between the worker processes and a
 * networked store, blackholed for 5–15 s at seeded random times while jobs run, and what the
 * workers took to recover from each partition (heal → the next completed job).
 */
import { between } from "./prng.js";
import { type BlackholeProxy, startBlackholeProxy } from "./proxy.js";
import { type StoreSpec, storeUrl, withStoreUrl } from "./spec.js";

/** One partition: when it started and healed (epoch ms). */
export interface Partition {
  startedAt: number;
  healedAt: number;
}

/** One partition as reported: seconds into the run, length, and the workers' recovery. */
export interface PartitionReport {
  /** When the partition started, in seconds since the store's chaos started. */
  atS: number;
  ms: number;
  /** Heal → the first job completed after it (by the store's completion time); null if none. */
  recoveryMs: number | null;
}

/** A running partition fault. */
export interface PartitionFault {
  /** The spec the workers get: the store, reached through the proxy. */
  workerSpec: StoreSpec;
  /** Ends the schedule (healing an ongoing partition); resolves with the partitions made. */
  stop(): Promise<Partition[]>;
  /** Closes the proxy (after the workers stopped). */
  close(): Promise<void>;
}

export interface PartitionOptions {
  spec: StoreSpec;
  random: () => number;
  /** No partition starts unless it also heals within this many ms from now. */
  forMs: number;
  log: (message: string) => void;
}

/** How long a partition lasts, and the quiet time before each one (ms). */
export const PARTITION_MS: readonly [number, number] = [5_000, 15_000];
export const PARTITION_GAP_MS: readonly [number, number] = [5_000, 30_000];

/**
 * Starts the proxy and the partition schedule, or returns null for a store that is not reached
 * over the network (an embedded libSQL file).
 */
export async function startPartitions(options: PartitionOptions): Promise<PartitionFault | null> {
  const url = storeUrl(options.spec);
  if (url === null) return null;
  const target = new URL(url);
  const proxy = await startBlackholeProxy({ host: target.hostname, port: Number(target.port) });
  const proxied = new URL(url);
  proxied.port = String(proxy.port);
  const schedule = runSchedule(proxy, options);
  return {
    workerSpec: withStoreUrl(options.spec, proxied.href.replace(/\/$/, "")),
    stop: () => schedule.stop(),
    close: () => proxy.close(),
  };
}

function runSchedule(proxy: BlackholeProxy, options: PartitionOptions) {
  const { random, log } = options;
  const ends = Date.now() + options.forMs;
  const partitions: Partition[] = [];
  let wake: () => void = () => {};
  let stopped = false;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  const loop = (async () => {
    while (!stopped) {
      await pause(between(random, ...PARTITION_GAP_MS));
      const ms = between(random, ...PARTITION_MS);
      if (stopped || Date.now() + ms > ends) break;
      log(`partition: blackhole the workers' link to the store for ${ms} ms`);
      const startedAt = Date.now();
      proxy.blackhole();
      await pause(ms);
      proxy.heal();
      partitions.push({ startedAt, healedAt: Date.now() });
    }
  })();
  return {
    async stop(): Promise<Partition[]> {
      stopped = true;
      wake();
      await loop;
      return partitions;
    },
  };
}

/**
 * For each partition, the time from its heal to the first completion at or after it.
 * `completedAt` are the completed jobs' completion times (epoch ms), in any order.
 */
export function recoveryTimes(
  partitions: Partition[],
  completedAt: number[],
  chaosStartedAt: number,
): PartitionReport[] {
  const sorted = [...completedAt].sort((a, b) => a - b);
  return partitions.map(({ startedAt, healedAt }) => {
    const next = sorted[firstAtOrAfter(sorted, healedAt)];
    return {
      atS: Math.round((startedAt - chaosStartedAt) / 100) / 10,
      ms: healedAt - startedAt,
      recoveryMs: next === undefined ? null : next - healedAt,
    };
  });
}

/** The index of the first element ≥ `value` in an ascending array (its length if none). */
function firstAtOrAfter(sorted: number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
