/**
 * `npm run bench [-- --quick | --smoke] [--only sections] [--jobs n] [--runs n] [--warmup n]
 * [--rounds n]`: measures and prints; never asserts on timings. Writes
 * bench/results/<date>.json (`-quick`, `-custom` when a flag changed the sizes; not with --smoke).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { type BundleSize, bundleRows, bundleSizes } from "./bundle.js";
import { claimFeatures, fairness } from "./claim-features.js";
import { CLOUDFLARE_SIZES } from "./cloudflare/sizes.js";
import { cloudflareTables } from "./cloudflare/summary.js";
import { measureCloudflareStores, restOf } from "./cloudflare-stores.js";
import { idleCost } from "./idle.js";
import { parseOptions, type Section } from "./lib/options.js";
import { CONFIGS, startServers } from "./lib/servers.js";
import { round, table } from "./lib/stats.js";
import { LABELS } from "./lib/subjects.js";
import type { WalWrites } from "./lib/wal.js";
import { memoryPerWorker } from "./memory.js";
import { loadPeers, PEERS_MISSING } from "./peers/index.js";
import { type Latency, type SseMode, sseLatency } from "./sse-latency.js";
import * as storeCalls from "./store-calls.js";
import * as throughput from "./throughput.js";
import { measureThroughput, throughputTables, whyNoRatios } from "./throughput-section.js";

type WalPerJob = WalWrites & { framesPerJob: number; bytesPerJob: number };

const { mode, sizes, sections, custom } = parseOptions(process.argv.slice(2));
const runs = (section: Section) => sections.has(section);
const machine = `${cpus()[0]?.model ?? "?"} × ${cpus().length}`;
/** A table's title, with the machine beside it (numbers only compare on one machine). */
const heading = (title: string) => `${title} [${machine}]`;
const loadAverage = () => loadavg().map((load) => round(load, 2));

const log = (text = "") => console.log(text);
const started = performance.now();
const loadAtStart = loadAverage();
log(
  `jdobb-async-queue bench (${mode}${custom ? ", custom sizes" : ""}): ${machine}, ` +
    `${round(totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${loadAtStart.join(" ")}\n`,
);

const peers = await loadPeers();
if (!peers) log(`${PEERS_MISSING}\n`);

const servers = await startServers();
const results: Record<string, unknown> = {};
try {
  // 1. Throughput and cost per job, cold and warm, each configuration in fresh processes
  if (runs("throughput")) {
    const measured = await measureThroughput(servers, sizes, peers !== null);
    results.throughput = measured;
    for (const line of throughputTables(measured, machine, whyNoRatios(mode, sizes))) log(line);
    log();
  }

  // 1a. WAL written per job (untimed drains in this process)
  if (runs("wal")) {
    const perJob = (writes: WalWrites) => ({
      ...writes,
      framesPerJob: round(writes.frames / sizes.jobs, 1),
      bytesPerJob: round(writes.bytes / sizes.jobs),
    });
    const wal: Record<string, { ours: WalPerJob; plainjob: WalPerJob | null }> = {};
    for (const concurrency of throughput.CONCURRENCIES) {
      wal[concurrency] = {
        ours: perJob(await throughput.oursWal(servers, sizes.jobs, concurrency)),
        plainjob: peers
          ? perJob(await throughput.plainjobWal(peers.plainjob, sizes.jobs, concurrency))
          : null,
      };
    }
    results.wal = { jobs: sizes.jobs, byConcurrency: wal };
    log(
      heading(
        `WAL written per job, SQLite file stores: frames committed while the WAL was held from checkpointing (one untimed drain of ${sizes.jobs} jobs each)`,
      ),
    );
    log(
      table(
        ["queue", "workers", "WAL frames per job", "WAL bytes per job", "page size"],
        throughput.CONCURRENCIES.flatMap((c) => {
          const { ours, plainjob } = wal[c] as { ours: WalPerJob; plainjob: WalPerJob | null };
          const row = (name: string, w: WalPerJob) => [
            name,
            `10 × ${c}`,
            w.framesPerJob,
            w.bytesPerJob,
            w.pageSize,
          ];
          return [
            row("ours, libSQL file", ours),
            ...(plainjob ? [row(LABELS.plainjob, plainjob)] : []),
          ];
        }),
      ),
    );
    log();
  }

  // 1b. Keys and schedules in the claim; fairness between keys
  if (runs("features")) {
    const featureRuns = Math.min(3, sizes.runs);
    const features = await claimFeatures(servers, sizes.jobs, featureRuns);
    log(
      heading(
        `Keys and schedules: the same drain (10 × 1, ${sizes.jobs} jobs) with every job under one of 1,000 concurrency keys (limit 2 per key), or with 100 schedules stored (none due); jobs/s, median of ${featureRuns}, and the ratio to the plain claim on the same store`,
      ),
    );
    log(
      table(
        ["store", "claim", "jobs/s", "÷ plain"],
        features.map((row) => [LABELS[row.config], row.variant, row.jobsPerSecond, row.ratio]),
      ),
    );
    const backlog = mode === "smoke" ? 200 : 10_000;
    const fair: Record<string, number> = {};
    for (const config of CONFIGS) fair[config] = await fairness(config, servers, backlog);
    log(
      heading(
        `\nFairness: key A has ${backlog} queued jobs (10 already done, one claim at a time); key B enqueues one; claims until B's job started`,
      ),
    );
    log(
      table(
        ["store", "claims"],
        CONFIGS.map((config) => [LABELS[config], fair[config] ?? "-"]),
      ),
    );
    log();
    results.claimFeatures = features;
    results.fairness = { backlog, claimsUntilStart: fair };
  }

  // 2. Store calls per job life
  if (runs("calls")) {
    const rest = await storeCalls.ours("redis-rest", servers);
    const tcp = await storeCalls.ours("redis-tcp", servers);
    const hrana = await storeCalls.oursLibsqlHttp(servers);
    const bull = peers ? await storeCalls.bullmq(peers.bullmq, servers.redisUrl) : null;
    log(
      heading("2. Store calls for one job's life: enqueue → claim → 3 progress updates → complete"),
    );
    log(
      table(
        ["", "round trips", "Redis commands sent", "Redis commands incl. inside scripts"],
        [
          [
            "ours, Redis via REST",
            `${rest.requests} HTTP requests`,
            rest.topLevelCommands,
            rest.allCommands,
          ],
          ["ours, Redis over TCP", "-", tcp.topLevelCommands, tcp.allCommands],
          ["ours, libSQL over HTTP", `${hrana} HTTP requests`, "-", "-"],
          ...(bull ? [["BullMQ 6", "-", bull.topLevelCommands, bull.allCommands]] : []),
        ],
      ),
    );
    log();
    results.storeCalls = { rest, tcp, libsqlHttpRequests: hrana, bullmq: bull };
  }

  // 3. Idle cost
  if (runs("idle")) {
    const idle = await idleCost(servers, sizes.idleSeconds, peers?.bullmq ?? null);
    log(
      heading(
        `3. Idle cost: store calls per hour with nothing to do (${sizes.idleSeconds} s window, extrapolated)`,
      ),
    );
    log(
      table(
        ["worker", "calls per hour", "how"],
        [
          [
            "ours, cron every minute",
            idle.cronPerHour,
            `${idle.callsPerTick} call per tick measured, none between ticks`,
          ],
          ["ours, worker.start() loop", idle.loopPerHour, "REST requests (idle backoff up to 5 s)"],
          ...(idle.bullmqPerHour === null
            ? []
            : [["BullMQ worker", idle.bullmqPerHour, "Redis commands its clients sent"]]),
        ],
      ),
    );
    log();
    results.idle = idle;
  }

  // 4. Memory
  if (runs("memory")) {
    const memory = await memoryPerWorker(sizes.workers);
    log(
      heading(
        "4. Memory: idle in-process workers, each with its own queue object and libSQL connection",
      ),
    );
    log(
      table(
        ["workers", "heap MB", "RSS MB"],
        memory.points.map((p) => [p.workers, round(p.heapMB, 1), round(p.rssMB, 1)]),
      ),
    );
    log(
      `marginal per worker: heap ${round(memory.marginalHeapMB * 1024)} KB, RSS ${round(memory.marginalRssMB, 2)} MB\n`,
    );
    results.memory = memory;
  }

  // 5. SSE latency and what streams cost
  if (runs("sse")) {
    const modes: Array<[SseMode, string]> = [
      ["wake", "same process (wakes the stream), libSQL file"],
      ["poll", "another process (stream polls), libSQL file"],
      ["push-tcp", "another process (store pushes), Redis over TCP"],
      ["push-rest", "another process (store pushes), Redis over REST"],
    ];
    const latency: Record<string, Latency> = {};
    for (const [mode] of modes) {
      latency[mode] = await sseLatency(mode, servers, { updates: sizes.updates });
    }
    log(heading("5. SSE latency: ctx.update() → event at an SSE client over HTTP, ms"));
    log(
      table(
        ["writer", "p50", "p95", "p99", "samples"],
        modes.map(([mode, label]) => {
          const l = latency[mode] as Latency;
          return [label, round(l.p50, 1), round(l.p95, 1), round(l.p99, 1), l.samples];
        }),
      ),
    );
    // A job that runs with 10 progress updates (60 s in a full run) and 50 open streams of it.
    const gapMs = mode === "full" ? 6_000 : 500;
    const cost: Record<string, Latency> = {};
    for (const costMode of ["poll", "push-tcp", "push-rest"] as const) {
      cost[costMode] = await sseLatency(costMode, servers, { updates: 10, gapMs, streams: 50 });
    }
    log(
      heading(
        `5b. Store calls of the serving process: 50 streams of one job, 10 updates over ${round((gapMs * 10) / 1000)} s`,
      ),
    );
    log(
      table(
        ["store", "store calls", "p50 ms", "p99 ms"],
        Object.entries(cost).map(([m, c]) => [m, c.storeCalls, round(c.p50, 1), round(c.p99, 1)]),
      ),
    );
    log();
    results.sse = { latency, cost: { gapMs, updates: 10, streams: 50, ...cost } };
  }

  // 6. Bundle size
  let bundles: BundleSize[] | undefined;
  if (runs("bundle")) {
    bundles = await bundleSizes();
    log(heading("6. Cloudflare example Worker (wrangler deploy --dry-run)"));
    log(table(["Worker", "raw KiB", "min KiB", "min+gzip KiB"], bundleRows(bundles)));
    log();
    results.bundles = bundles;
  }

  // 7. Cloudflare-native stores, called from a Worker in workerd (Miniflare)
  if (runs("cloudflare")) {
    const cloudflare = await measureCloudflareStores(restOf(servers), CLOUDFLARE_SIZES[mode]);
    for (const line of cloudflareTables(cloudflare, heading, bundles)) log(line);
    log();
    results.cloudflare = cloudflare;
  }

  const seconds = round((performance.now() - started) / 1000);
  log(`(${seconds} s)`);
  if (mode !== "smoke") {
    const date = new Date().toISOString().slice(0, 10);
    const dir = new URL("./results/", import.meta.url).pathname;
    mkdirSync(dir, { recursive: true });
    const saved = {
      date,
      mode,
      custom,
      sections: [...sections],
      seconds,
      machine: {
        cpu: cpus()[0]?.model,
        cores: cpus().length,
        node: process.version,
        loadAverage: { start: loadAtStart, end: loadAverage() },
      },
      ...results,
    };
    // quick and custom runs never clobber a full one
    const file = `${date}${mode === "quick" ? "-quick" : ""}${custom ? "-custom" : ""}.json`;
    writeFileSync(`${dir}${file}`, `${JSON.stringify(saved, null, 2)}\n`);
    log(`saved bench/results/${file}`);
  }
} finally {
  await servers.stop();
}
