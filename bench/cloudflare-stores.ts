/**
 * Section 7: the Cloudflare-native stores, measured locally in one run. A bench Worker
 * (bench/cloudflare/worker.ts, bundled for workerd, run by Miniflare) calls each store from
 * inside workerd: the Durable Object store (`QueueObject`, SQLite-backed), D1 and Upstash over
 * loopback (`upstashRest` → devtools' REST endpoint → redis-server). It measures a drain's
 * jobs/s and store calls per job, update → reader latency through the library's follow path,
 * and the calls per second one queue serves. Labelled "local (miniflare)": not production.
 *
 *   node --import tsx bench/cloudflare-stores.ts [--quick | --smoke] [--jobs n] [--runs n]
 *
 * Alone it saves bench/results/<date>-cloudflare[-quick].json (not with --smoke).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { WorkerOptions } from "miniflare";
import { bundleWorkerModule } from "../test/support/build-worker-module.js";
import { QUEUE_OBJECTS } from "../test/support/durable-object-options.js";
import type { CeilingRun, LatencyRun, ThroughputRun } from "./cloudflare/protocol.js";
import { CLOUDFLARE_SIZES, type CloudflareSizes } from "./cloudflare/sizes.js";
import { startStoreWorkers } from "./cloudflare/store-workers.js";
import {
  type CloudflareResults,
  cloudflareTables,
  durableObjectOver,
  type MeasuredDrain,
  type StoreResults,
  summarise,
} from "./cloudflare/summary.js";
import type { Mode } from "./lib/options.js";
import { type Servers, startServers } from "./lib/servers.js";
import { round } from "./lib/stats.js";

/** The local Upstash-compatible REST endpoint (in front of redis-server). */
export interface RestEndpoint {
  url: string;
  token: string;
  /**
   * CPU used so far by the processes serving it (redis-server and the endpoint), µs: the
   * Upstash store's share of a drain's cost, which workerd's CPU does not include.
   */
  serverCpuMicros?: (() => Promise<number>) | undefined;
}

/** The bench's servers' REST endpoint, with the CPU of redis-server and the endpoint process. */
export function restOf(servers: Servers): RestEndpoint {
  return {
    url: servers.restUrl,
    token: servers.restToken,
    serverCpuMicros: async () => {
      const counts = await servers.counts();
      return counts.redisCpuMicros + counts.endpointCpuMicros;
    },
  };
}

/** A store of the section: its Worker-side name (bench/cloudflare/stores.ts) and bindings. */
interface CloudflareStore {
  id: string;
  label: string;
  options(rest: RestEndpoint): Partial<WorkerOptions>;
}

/** The stores measured, in the order their runs interleave. */
export const CLOUDFLARE_STORES: CloudflareStore[] = [
  {
    id: "durable-object",
    label: "Durable Object (SQLite), RPC",
    options: () => ({ durableObjects: QUEUE_OBJECTS }),
  },
  {
    id: "upstash",
    label: "Upstash REST over loopback → redis-server",
    options: (rest) => ({ bindings: { UPSTASH_URL: rest.url, UPSTASH_TOKEN: rest.token } }),
  },
  { id: "d1", label: "D1 (SQLite), polled progress", options: () => ({ d1Databases: ["DB"] }) },
];

/** `rounds` measurements per store, the stores interleaved (a slow minute hits each alike). */
async function interleaved<T>(
  rounds: number,
  measure: (store: string) => Promise<T>,
): Promise<Map<string, T[]>> {
  const runs = new Map<string, T[]>(CLOUDFLARE_STORES.map(({ id }) => [id, []]));
  for (let round = 0; round < rounds; round++) {
    for (const { id } of CLOUDFLARE_STORES) runs.get(id)?.push(await measure(id));
  }
  return runs;
}

/**
 * Every measurement of the section on every store; prints nothing. Each store gets its own
 * Miniflare (its own workerd), so no store's code paths shape the JIT's view of another's.
 */
export async function measureCloudflareStores(
  rest: RestEndpoint,
  sizes: CloudflareSizes,
): Promise<CloudflareResults> {
  const script = await bundleWorkerModule(
    new URL("./cloudflare/worker.ts", import.meta.url).pathname,
  );
  const workers = await startStoreWorkers(
    script,
    CLOUDFLARE_STORES.map((store) => ({ id: store.id, options: store.options(rest) })),
  ).catch((error) => {
    script.remove();
    throw error;
  });
  const { jobs, batch, updates, gapMs, ceilingMs: ms } = sizes;
  /** One drain, and the CPU it cost workerd and the store's servers per job. */
  const drain = async (store: string): Promise<MeasuredDrain> => {
    const cpu = async () => [workers.cpuMicros(store), (await rest.serverCpuMicros?.()) ?? null];
    const before = await cpu();
    const run = await workers.ask<ThroughputRun>(store, "/throughput", { jobs, batch });
    const after = await cpu();
    const perJob = (i: number) => {
      const [start, end] = [before[i], after[i]];
      return start == null || end == null ? null : round((end - start) / jobs, 1);
    };
    return { ...run, workerdCpuMicrosPerJob: perJob(0), serverCpuMicrosPerJob: perJob(1) };
  };
  try {
    // workerd's JIT warms over the first few thousand jobs: those drains are not counted.
    await interleaved(sizes.warmups, drain);
    const drains = await interleaved(sizes.runs, drain);
    const follows = await interleaved(sizes.runs, (store) =>
      workers.ask<LatencyRun>(store, "/latency", { updates, gapMs }),
    );
    const ceilings = new Map<string, CeilingRun[]>(CLOUDFLARE_STORES.map(({ id }) => [id, []]));
    for (const shape of sizes.ceiling) {
      const runs = await interleaved(1, (store) =>
        workers.ask<CeilingRun>(store, "/ceiling", { ...shape, ms }),
      );
      for (const [id, [run]] of runs) if (run) ceilings.get(id)?.push(run);
    }
    const stores: Record<string, StoreResults> = {};
    for (const { id, label } of CLOUDFLARE_STORES) {
      const runsOf = <T>(map: Map<string, T[]>) => map.get(id) ?? [];
      stores[id] = summarise(label, runsOf(drains), runsOf(follows), runsOf(ceilings));
    }
    return {
      environment: "local (miniflare)",
      sizes: { ...sizes },
      stores,
      durableObjectOver: durableObjectOver(stores),
    };
  } finally {
    await workers.dispose();
    script.remove();
  }
}

// `node --import tsx bench/cloudflare-stores.ts`: this section alone, on its own servers.
if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean" },
      smoke: { type: "boolean" },
      jobs: { type: "string" },
      runs: { type: "string" },
    },
  });
  const mode: Mode = values.smoke ? "smoke" : values.quick ? "quick" : "full";
  const count = (flag: string, value: string) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`--${flag} ${value}: not a count`);
    return number;
  };
  const sizes = { ...CLOUDFLARE_SIZES[mode] };
  if (values.jobs) sizes.jobs = count("jobs", values.jobs);
  if (values.runs) sizes.runs = count("runs", values.runs);
  const machine = `${cpus()[0]?.model ?? "?"} × ${cpus().length}`;
  const loadAverage = () => loadavg().map((load) => Math.round(load * 100) / 100);
  const loadAtStart = loadAverage();
  console.log(`load average ${loadAtStart.join(" ")} (${cpus().length} cores)`);
  const servers = await startServers();
  try {
    const started = performance.now();
    const results = await measureCloudflareStores(restOf(servers), sizes);
    for (const line of cloudflareTables(results, (title) => `${title} [${machine}]`)) {
      console.log(line);
    }
    const seconds = Math.round((performance.now() - started) / 1000);
    console.log(`(${seconds} s)`);
    if (mode !== "smoke") {
      const date = new Date().toISOString().slice(0, 10);
      const file = `${date}-cloudflare${mode === "quick" ? "-quick" : ""}.json`;
      const dir = new URL("./results/", import.meta.url).pathname;
      mkdirSync(dir, { recursive: true });
      const load = { start: loadAtStart, end: loadAverage() };
      const saved = { date, mode, seconds, machine, loadAverage: load, ...results };
      writeFileSync(`${dir}${file}`, `${JSON.stringify(saved, null, 2)}\n`);
      console.log(`saved bench/results/${file}`);
    }
  } finally {
    await servers.stop();
  }
}
