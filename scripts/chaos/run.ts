/**
 * `npm run chaos [-- --seconds 60 --seed 42 --stores libsql,redis --jobs 1200 --workers 3]`
 *
 * Runs worker processes on an embedded libSQL file and on Redis (through the local
 * Upstash-compatible REST endpoint, redis-server with an append-only file), both at once,
 * injects faults for `--seconds` (default 180; env CHAOS_SECONDS / CHAOS_SEED), drains, checks,
 * prints a summary table and saves it to `bench/results/chaos-<date>.json`. Exits non-zero if
 * an acknowledged job was lost or any check failed. See docs/reliability.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { hasRedisServer } from "../../devtools/redis-server.js";
import { type ChaosRun, runChaos } from "./chaos.js";
import { type CheckReport, checkStore } from "./checks.js";
import { subSeed } from "./prng.js";
import { openQueue, sleep } from "./spec.js";
import { openStore, type StoreName, type StoreUnderTest } from "./stores.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: process.env.CHAOS_SECONDS ?? "180" },
    seed: { type: "string", default: process.env.CHAOS_SEED },
    stores: { type: "string", default: "libsql,redis" },
    jobs: { type: "string" },
    workers: { type: "string", default: "3" },
    "drain-seconds": { type: "string", default: "60" },
    keep: { type: "boolean", default: false },
  },
});

const seconds = Number(values.seconds);
const drainSeconds = Number(values["drain-seconds"]);
// The whole run (chaos + drain + checks) stays within 5 minutes.
if (!(seconds >= 10 && seconds + drainSeconds <= 270)) {
  console.error("--seconds must be at least 10, and --seconds + --drain-seconds at most 270");
  process.exit(2);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const jobs = Number(values.jobs ?? Math.round(seconds * 30));
const workers = Number(values.workers);
const stores = values.stores.split(",").map((s) => s.trim()) as StoreName[];
for (const name of stores) {
  if (name !== "libsql" && name !== "redis") throw new Error(`unknown store ${name}`);
}
if (stores.includes("redis") && !hasRedisServer()) {
  console.error("redis-server is not installed (Debian: apt-get install -y redis-server)");
  process.exit(2);
}

console.log(
  `chaos: seed ${seed}, ${seconds} s of faults, ${jobs} jobs and ${workers} workers per store, ` +
    `stores ${stores.join(", ")}`,
);
console.log(`replay with: npm run chaos -- --seed ${seed} --seconds ${seconds}\n`);

const root = mkdtempSync(join(tmpdir(), "jdobb-chaos-"));
const started = Date.now();

type StoreSummary = ChaosRun & CheckReport & { store: StoreName; ok: boolean };

// A last resort against a hang: stop redis-server(s) and exit (children exit with us).
const openStores = new Set<StoreUnderTest>();
setTimeout(
  () => {
    console.error("\nwatchdog: the run overran its time; stopping");
    const closing = Promise.all([...openStores].map((store) => store.close().catch(() => {})));
    void Promise.race([closing, sleep(5_000)]).then(() => process.exit(3));
  },
  (seconds + drainSeconds + 30) * 1_000,
).unref();

async function runStore(name: StoreName): Promise<StoreSummary> {
  const dir = join(root, name);
  const log = (message: string) => {
    const t = ((Date.now() - started) / 1_000).toFixed(1).padStart(6);
    console.log(`${t}s [${name}] ${message}`);
  };
  const store = await openStore(name, dir);
  openStores.add(store);
  try {
    const run = await runChaos({
      store,
      dir,
      seed: subSeed(seed, name),
      chaosMs: seconds * 1_000,
      drainMs: drainSeconds * 1_000,
      jobs,
      workers,
      log,
    });
    const queue = openQueue(store.spec);
    const report = await checkStore(queue, dir).finally(() => queue.close());
    const ok =
      run.drained &&
      !run.producerKilled &&
      run.counts.workerCrashes.length === 0 &&
      report.lost === 0 &&
      report.checkFailures === 0 &&
      report.enqueueErrors === 0 &&
      report.duplicateJobs === 0 &&
      report.sameAttemptTwice === 0;
    return { store: name, ...run, ...report, ok };
  } finally {
    await store.close();
    openStores.delete(store);
  }
}

const settled = await Promise.allSettled(stores.map(runStore));
const results = settled.flatMap((outcome, i) => {
  if (outcome.status === "fulfilled") return [outcome.value];
  console.error(`\n[${stores[i]}] the run itself failed:`, outcome.reason);
  return [];
});
const durationS = Math.round((Date.now() - started) / 1_000);

const rows: Array<[string, (r: StoreSummary) => string | number]> = [
  ["jobs (acknowledged)", (r) => r.jobs],
  ["completed", (r) => r.completed],
  ["lost", (r) => r.lost],
  ["dead-lettered", (r) => JSON.stringify(r.deadLettered)],
  ["worker kills (SIGKILL)", (r) => r.counts.kills],
  ["stalls (SIGSTOP/SIGCONT)", (r) => r.counts.stalls],
  ["redis-server kill+restart", (r) => (r.store === "redis" ? r.counts.redisRestarts : "n/a")],
  ["store cuts", (r) => (r.store === "redis" ? r.counts.storeCuts : "n/a")],
  ["executions", (r) => r.executions],
  ["duplicate executions", (r) => r.duplicateExecutions],
  ["same attempt run twice", (r) => r.sameAttemptTwice],
  ["lease expiries (events)", (r) => r.leaseExpiries],
  ["retries scheduled (events)", (r) => r.retriesScheduled],
  ["leases expired < 1 s after claim", (r) => r.earlyLeaseExpiries],
  ["attempts started < 150 ms apart", (r) => r.nearSimultaneousAttempts],
  ["duplicate jobs per key", (r) => r.duplicateJobs],
  ["enqueue retries (unavailable)", (r) => r.enqueueRetries],
  ["enqueue errors (other)", (r) => r.enqueueErrors],
  ["unacked but stored", (r) => r.unackedButStored],
  ["event/result check failures", (r) => r.checkFailures],
  ["worker crashes", (r) => r.counts.workerCrashes.length],
  ["drain (s)", (r) => (r.drained ? (r.drainMs / 1_000).toFixed(1) : "NOT DRAINED")],
  ["verdict", (r) => (r.ok ? "ok" : "FAIL")],
];

for (const r of results) {
  const notes = [...r.problems, ...r.counts.workerCrashes.map((c) => `worker crash ${c}`)];
  if (notes.length > 0) console.log(`\n[${r.store}] problems:\n  ${notes.join("\n  ")}`);
  const errors = Object.entries(r.errors);
  if (errors.length > 0) {
    console.log(`\n[${r.store}] errors seen (count):`);
    for (const [text, count] of errors) console.log(`  ${String(count).padStart(5)}  ${text}`);
  }
}

const width = Math.max(...rows.map(([label]) => label.length));
console.log(`\nchaos summary — seed ${seed}, ${seconds} s of faults, ${durationS} s in all`);
console.log(`${"".padEnd(width)}  ${results.map((r) => r.store.padStart(12)).join("")}`);
for (const [label, cell] of rows) {
  console.log(
    `${label.padEnd(width)}  ${results.map((r) => String(cell(r)).padStart(12)).join("")}`,
  );
}

const ok = results.length === stores.length && results.every((r) => r.ok);
const date = new Date().toISOString().slice(0, 10);
const out = join(
  import.meta.dirname,
  "../../bench/results",
  `chaos-${date}${seconds < 180 ? "-short" : ""}.json`,
);
mkdirSync(join(out, ".."), { recursive: true });
const summary = {
  date: new Date().toISOString(),
  seed,
  seconds,
  durationS,
  jobsPerStore: jobs,
  workers,
  node: process.version,
  ok,
  stores: Object.fromEntries(results.map((r) => [r.store, r])),
};
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nsaved ${out}`);
if (values.keep) console.log(`run files kept in ${root}`);
else rmSync(root, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
