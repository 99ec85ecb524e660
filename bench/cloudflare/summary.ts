/**
 * Section 7's figures from the bench Worker's runs (protocol.ts): medians, percentiles, the
 * Durable Object store's jobs/s over each other store's, and the printed tables.
 */
import { type BundleSize, DURABLE_OBJECT_ONLY } from "../bundle.js";
import { median, percentile, round, table } from "../lib/stats.js";
import type { CeilingRun, LatencyRun, ThroughputRun } from "./protocol.js";
import type { CloudflareSizes } from "./sizes.js";

/** A drain as the Node side saw it: the Worker's answer and the CPU it cost per job, µs. */
export interface MeasuredDrain extends ThroughputRun {
  /** The store's workerd process (the Worker; for the Durable Object and D1, the store too). */
  workerdCpuMicrosPerJob: number | null;
  /** redis-server and the REST endpoint (the Upstash store's side; idle for the others). */
  serverCpuMicrosPerJob: number | null;
}

/** Every figure of one store. */
export interface StoreResults {
  label: string;
  throughput: {
    /** Median of the runs (nearest rank), each metric on its own. */
    jobsPerSecond: number;
    drainMs: number;
    enqueueMs: number;
    storeCallsPerJob: number;
    workerdCpuMicrosPerJob: number | null;
    serverCpuMicrosPerJob: number | null;
    runs: MeasuredDrain[];
  };
  latency: {
    /** Over every update of every run, ms. */
    p50: number;
    p90: number;
    samples: number;
    /** Median over runs of the reader's calls for one followed job: in all, and reads of the log. */
    readerCalls: number;
    readerReads: number;
    /** Events delivered per followed job (snapshot, active, updates, completed). */
    delivered: number;
    runs: LatencyRun[];
  };
  /** One run per shape (loops × queues). */
  ceiling: CeilingRun[];
}

/** Section 7 as saved (`cloudflare` in the run's JSON, or bench/results/<date>-cloudflare.json). */
export interface CloudflareResults {
  /** Where it ran: every store called from a Worker in workerd (Miniflare), on loopback. */
  environment: "local (miniflare)";
  sizes: CloudflareSizes;
  stores: Record<string, StoreResults>;
  /** Median jobs/s of the Durable Object store ÷ each other store's, by store (`upstash`, `d1`). */
  durableObjectOver: Record<string, number | null>;
}

/** The lowest and highest of some values, rounded: `min–max`. */
const spread = (values: number[]) => `${round(Math.min(...values))}–${round(Math.max(...values))}`;

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** The median, or null if any value is missing (CPU where /proc is not there). */
const midOrNull = (values: Array<number | null>) =>
  values.some((value) => value === null) ? null : median(values as number[]);

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

/** One store's figures from its runs. */
export function summarise(
  label: string,
  throughputRuns: MeasuredDrain[],
  latencyRuns: LatencyRun[],
  ceiling: CeilingRun[],
): StoreResults {
  const mid = <T>(runs: T[], metric: (run: T) => number) => median(runs.map(metric));
  const latencies = latencyRuns.flatMap((run) => run.latenciesMs);
  return {
    label,
    throughput: {
      jobsPerSecond: round(mid(throughputRuns, (r) => r.jobsPerSecond)),
      drainMs: mid(throughputRuns, (r) => r.drainMs),
      enqueueMs: mid(throughputRuns, (r) => r.enqueueMs),
      storeCallsPerJob: round(
        mid(throughputRuns, (r) => r.storeCallsPerJob),
        2,
      ),
      workerdCpuMicrosPerJob: midOrNull(throughputRuns.map((r) => r.workerdCpuMicrosPerJob)),
      serverCpuMicrosPerJob: midOrNull(throughputRuns.map((r) => r.serverCpuMicrosPerJob)),
      runs: throughputRuns,
    },
    latency: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      samples: latencies.length,
      readerCalls: mid(latencyRuns, (r) => total(r.readerCalls)),
      readerReads: mid(latencyRuns, (r) => r.readerCalls.readEvents ?? 0),
      delivered: mid(latencyRuns, (r) => r.delivered),
      runs: latencyRuns,
    },
    ceiling: ceiling.map((run) => ({ ...run, opsPerSecond: round(run.opsPerSecond) })),
  };
}

/** The Durable Object store's median jobs/s ÷ each other store's (null where one is missing). */
export function durableObjectOver(stores: Record<string, StoreResults>) {
  const top = stores["durable-object"]?.throughput.jobsPerSecond;
  const ratios: Record<string, number | null> = {};
  for (const [id, store] of Object.entries(stores)) {
    if (id === "durable-object") continue;
    const bottom = store.throughput.jobsPerSecond;
    ratios[id] = top === undefined || !bottom ? null : round(top / bottom, 2);
  }
  return ratios;
}

/** The section's printed lines; `heading` adds the machine to a title. */
export function cloudflareTables(
  results: CloudflareResults,
  heading: (title: string) => string,
  bundles?: BundleSize[],
): string[] {
  const stores = Object.values(results.stores);
  const { sizes } = results;
  const shapes = stores[0]?.ceiling ?? [];
  const bundle = bundles?.find((b) => b.worker === DURABLE_OBJECT_ONLY);
  const cpu = (micros: number | null) => micros ?? "-";
  return [
    heading(
      `7. Cloudflare stores, ${results.environment}: each called from a Worker in workerd (one per store); ${sizes.jobs} noop jobs enqueued in batches then drained (Worker, concurrency 10), median of ${sizes.runs} after ${sizes.warmups} discarded; CPU per job of the store's workerd and of redis-server + the REST endpoint`,
    ),
    table(
      ["store", "jobs/s (runs' min–max)", "store calls/job", "workerd µs/job", "servers µs/job"],
      stores.map((s) => [
        s.label,
        `${s.throughput.jobsPerSecond} (${spread(s.throughput.runs.map((r) => r.jobsPerSecond))})`,
        s.throughput.storeCallsPerJob,
        cpu(s.throughput.workerdCpuMicrosPerJob),
        cpu(s.throughput.serverCpuMicrosPerJob),
      ]),
    ),
    `Durable Object ÷ each other store, jobs/s: ${Object.entries(results.durableObjectOver)
      .map(([id, ratio]) => `÷ ${results.stores[id]?.label ?? id} ${ratio ?? "-"}`)
      .join("; ")}`,
    heading(
      `\n7a. Update → reader: ${sizes.updates} ctx.update() ${sizes.gapMs} ms apart, followed by another queue object (Broadcaster), ms over ${sizes.runs} jobs`,
    ),
    table(
      ["store", "p50 ms", "p90 ms", "the reader's calls (reads of the log) per job"],
      stores.map((s) => [
        s.label,
        s.latency.p50,
        s.latency.p90,
        `${s.latency.readerCalls} (${s.latency.readerReads}) for ${s.latency.delivered} updates`,
      ]),
    ),
    heading(
      "\n7b. One queue's ceiling: stats() calls per second, P loops in parallel on one queue (one object) or spread over several",
    ),
    table(
      ["store", ...shapes.map((run) => `P = ${run.parallel}, ${plural(run.queues, "queue")}`)],
      stores.map((s) => [s.label, ...s.ceiling.map((run) => run.opsPerSecond)]),
    ),
    bundle
      ? `Worker bundle with the Durable Object store alone (section 6, "${DURABLE_OBJECT_ONLY}"): ${round(bundle.gzipBytes / 1024, 1)} KiB min+gzip`
      : `Worker bundle with the Durable Object store alone: section 6 (bench/bundle.ts, "${DURABLE_OBJECT_ONLY}")`,
  ];
}
