/**
 * `npm run bench [-- --quick | --smoke]`: measures and prints; never asserts on timings.
 * Writes bench/results/<date>.json (not with --smoke).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { bundleRows, bundleSizes } from "./bundle.js";
import { claimFeatures, fairness } from "./claim-features.js";
import { idleCost } from "./idle.js";
import { CONFIGS, type Config, startServers } from "./lib/servers.js";
import { median, round, table } from "./lib/stats.js";
import type { WalWrites } from "./lib/wal.js";
import { memoryPerWorker } from "./memory.js";
import { loadPeers, PEERS_MISSING } from "./peers/index.js";
import { sseLatency } from "./sse-latency.js";
import * as storeCalls from "./store-calls.js";
import * as throughput from "./throughput.js";

/** Section 1 for one concurrency: medians of ours on each store and of the peers. */
interface Shape {
  ours: Record<Config, throughput.Run>;
  bullmq: throughput.Run | null;
  plainjob: throughput.Run | null;
}
type WalPerJob = WalWrites & { framesPerJob: number; bytesPerJob: number };

const mode = process.argv.includes("--smoke")
  ? "smoke"
  : process.argv.includes("--quick")
    ? "quick"
    : "full";
const sizes = {
  full: { runs: 5, jobs: 5_000, idleSeconds: 60, updates: 40, workers: [1, 10, 100] },
  quick: { runs: 3, jobs: 1_000, idleSeconds: 15, updates: 12, workers: [1, 10, 100] },
  smoke: { runs: 1, jobs: 100, idleSeconds: 1, updates: 3, workers: [1, 3] },
}[mode];

const LABELS: Record<Config, string> = {
  "libsql-file": "libSQL file (embedded)",
  "libsql-http": "libSQL over HTTP (Hrana)",
  "redis-rest": "Redis via @upstash/redis (REST)",
  "redis-tcp": "Redis over TCP (ioredis)",
};

const log = (text = "") => console.log(text);
const started = performance.now();
log(
  `jdobb-async-queue bench (${mode}): ${cpus()[0]?.model ?? "?"} × ${cpus().length}, ` +
    `${round(totalmem() / 2 ** 30)} GiB, node ${process.version}\n`,
);

const peers = await loadPeers();
if (!peers) log(`${PEERS_MISSING}\n`);

const servers = await startServers();
try {
  // 1. Throughput, client CPU per job, WAL per job
  const samples = async (fn: () => Promise<throughput.Run>): Promise<throughput.Run> => {
    const runs: throughput.Run[] = [];
    for (let i = 0; i < sizes.runs; i++) runs.push(await fn());
    return {
      jobsPerSecond: round(median(runs.map((run) => run.jobsPerSecond))),
      cpuMicrosPerJob: round(median(runs.map((run) => run.cpuMicrosPerJob))),
    };
  };
  const shapes: Record<string, Shape> = {};
  for (const concurrency of throughput.CONCURRENCIES) {
    const ours = {} as Record<Config, throughput.Run>;
    for (const config of CONFIGS)
      ours[config] = await samples(() => throughput.ours(config, servers, sizes.jobs, concurrency));
    shapes[concurrency] = {
      ours,
      bullmq: peers
        ? await samples(() =>
            throughput.bullmq(peers.bullmq, servers.redisUrl, sizes.jobs, concurrency),
          )
        : null,
      plainjob: peers
        ? await samples(() => throughput.plainjob(peers.plainjob, sizes.jobs, concurrency))
        : null,
    };
  }
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
  const shapeOf = (concurrency: number) => shapes[concurrency] as Shape;
  const peerOf = (config: Config, concurrency: number): [string, throughput.Run] | null => {
    const { bullmq, plainjob } = shapeOf(concurrency);
    if (config === "libsql-file") return plainjob && ["plainjob (better-sqlite3)", plainjob];
    if (config === "libsql-http") return null;
    return bullmq && ["BullMQ (TCP)", bullmq];
  };
  const shapeName = (concurrency: number) => `10 × ${concurrency}`;
  log(
    `1. Throughput: claim → complete, 10 workers × concurrency ${throughput.CONCURRENCIES.join(" and ")}, ${sizes.jobs} jobs, jobs/s (median of ${sizes.runs})`,
  );
  /** Section 1's table of one measure per store and shape, ours beside the peer's. */
  const perShape = (measure: "jobsPerSecond" | "cpuMicrosPerJob") =>
    table(
      [
        "store",
        "peer",
        ...throughput.CONCURRENCIES.flatMap((c) => [
          `ours ${shapeName(c)}`,
          `peer ${shapeName(c)}`,
          "ours/peer",
        ]),
      ],
      CONFIGS.map((config) => [
        LABELS[config],
        peerOf(config, 1)?.[0] ?? "-",
        ...throughput.CONCURRENCIES.flatMap((c) => {
          const value = shapeOf(c).ours[config][measure];
          const peer = peerOf(config, c)?.[1];
          return [value, peer?.[measure] ?? "-", peer ? round(value / peer[measure], 2) : "-"];
        }),
      ]),
    );
  log(perShape("jobsPerSecond"));
  log(
    "\nClient CPU per job, µs: the bench process's user + system CPU over the drain ÷ jobs (median; the store servers run in another process and are not counted)",
  );
  log(perShape("cpuMicrosPerJob"));
  log(
    "\nWAL written per job, SQLite file stores: frames committed while the WAL was held from checkpointing (one untimed run each)",
  );
  log(
    table(
      ["queue", "workers", "WAL frames per job", "WAL bytes per job", "page size"],
      throughput.CONCURRENCIES.flatMap((c) => {
        const { ours, plainjob } = wal[c] as { ours: WalPerJob; plainjob: WalPerJob | null };
        return [
          ["ours, libSQL file", shapeName(c), ours.framesPerJob, ours.bytesPerJob, ours.pageSize],
          ...(plainjob
            ? [
                [
                  "plainjob (better-sqlite3)",
                  shapeName(c),
                  plainjob.framesPerJob,
                  plainjob.bytesPerJob,
                  plainjob.pageSize,
                ],
              ]
            : []),
        ];
      }),
    ),
  );

  // 1b. Keys and schedules in the claim
  const features = await claimFeatures(servers, sizes.jobs, Math.min(3, sizes.runs));
  log(
    `\nKeys and schedules: the same drain (10 × 1, ${sizes.jobs} jobs) with every job under one of 1,000 concurrency keys (limit 2 per key), or with 100 schedules stored (none due); jobs/s, median of ${Math.min(3, sizes.runs)}, and the ratio to the plain claim on the same store`,
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
    `\nFairness: key A has ${backlog} queued jobs (10 already done, one claim at a time); key B enqueues one. Claims until B's job started:`,
  );
  log(
    table(
      ["store", "claims"],
      CONFIGS.map((config) => [LABELS[config], fair[config] ?? "-"]),
    ),
  );

  // 2. Store calls per job life
  const rest = await storeCalls.ours("redis-rest", servers);
  const tcp = await storeCalls.ours("redis-tcp", servers);
  const hrana = await storeCalls.oursLibsqlHttp(servers);
  const bull = peers ? await storeCalls.bullmq(peers.bullmq, servers.redisUrl) : null;
  log("\n2. Store calls for one job's life: enqueue → claim → 3 progress updates → complete");
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

  // 3. Idle cost
  const idle = await idleCost(servers, sizes.idleSeconds, peers?.bullmq ?? null);
  log(
    `\n3. Idle cost: store calls per hour with nothing to do (${sizes.idleSeconds} s window, extrapolated)`,
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

  // 4. Memory
  const memory = await memoryPerWorker(sizes.workers);
  log("\n4. Memory: idle in-process workers, each with its own queue object and libSQL connection");
  log(
    table(
      ["workers", "heap MB", "RSS MB"],
      memory.points.map((p) => [p.workers, round(p.heapMB, 1), round(p.rssMB, 1)]),
    ),
  );
  log(
    `marginal per worker: heap ${round(memory.marginalHeapMB * 1024)} KB, RSS ${round(memory.marginalRssMB, 2)} MB`,
  );

  // 5. SSE latency
  const wake = await sseLatency("wake", sizes.updates);
  const poll = await sseLatency("poll", sizes.updates);
  log("\n5. SSE latency: ctx.update() → event at an SSE client over HTTP, ms");
  log(
    table(
      ["writer", "p50", "p95", "samples"],
      [
        ["same process (wakes the stream)", round(wake.p50, 1), round(wake.p95, 1), wake.samples],
        ["another process (stream polls)", round(poll.p50, 1), round(poll.p95, 1), poll.samples],
      ],
    ),
  );

  // 6. Bundle size
  const bundles = await bundleSizes();
  log("\n6. Cloudflare example Worker (wrangler deploy --dry-run)");
  log(table(["Worker", "raw KiB", "min KiB", "min+gzip KiB"], bundleRows(bundles)));

  const seconds = round((performance.now() - started) / 1000);
  log(`\n(${seconds} s)`);
  if (mode !== "smoke") {
    const date = new Date().toISOString().slice(0, 10);
    const dir = new URL("./results/", import.meta.url).pathname;
    mkdirSync(dir, { recursive: true });
    const results = {
      date,
      mode,
      seconds,
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
      throughput: { jobs: sizes.jobs, runs: sizes.runs, workers: 10, byConcurrency: shapes },
      wal: { jobs: sizes.jobs, byConcurrency: wal },
      claimFeatures: features,
      fairness: { backlog, claimsUntilStart: fair },
      storeCalls: { rest, tcp, libsqlHttpRequests: hrana, bullmq: bull },
      idle,
      memory,
      sse: { wake, poll },
      bundles,
    };
    const file = `${date}${mode === "quick" ? "-quick" : ""}.json`; // quick never clobbers full
    writeFileSync(`${dir}${file}`, `${JSON.stringify(results, null, 2)}\n`);
    log(`saved bench/results/${file}`);
  }
} finally {
  await servers.stop();
}
