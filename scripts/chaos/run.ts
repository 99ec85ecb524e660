/**
 * `npm run chaos [-- --seconds 60 --seed 42 --stores libsql,redis --jobs 1200 --workers 3]`
 * `npm run chaos -- --long` (100,000 jobs and 10 workers per store, network partitions; ~30 min)
 *
 * Runs worker processes on an embedded libSQL file and on Redis (through the local
 * Upstash-compatible REST endpoint, redis-server with an append-only file), both at once,
 * injects faults for `--seconds` (default 180; env CHAOS_SECONDS / CHAOS_SEED), drains, checks,
 * prints a summary table and saves it to `bench/results/chaos-<date>.json`. Exits non-zero if
 * an acknowledged job was lost or any check failed. `--partition` (on in `--long`) puts a
 * blackholing proxy between the workers and each networked store (see partition.ts) and reports
 * the workers' recovery after each partition. See docs/reliability.md.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { hasRedisServer } from "../../devtools/redis-server.js";
import { killChildren, runChaos } from "./chaos.js";
import { checkStore } from "./checks.js";
import { recoveryTimes } from "./partition.js";
import { subSeed } from "./prng.js";
import { printSummary, type StoreSummary } from "./report.js";
import { openQueue, sleep, storeUrl } from "./spec.js";
import { openStore, STORE_NAMES, type StoreName, type StoreUnderTest } from "./stores.js";

const { values } = parseArgs({
  options: {
    long: { type: "boolean", default: false },
    partition: { type: "boolean" },
    seconds: { type: "string", default: process.env.CHAOS_SECONDS },
    seed: { type: "string", default: process.env.CHAOS_SEED },
    stores: { type: "string", default: "libsql,redis" },
    jobs: { type: "string" },
    workers: { type: "string" },
    "drain-seconds": { type: "string" },
    keep: { type: "boolean", default: false },
  },
});

/** Defaults and bounds of a mode. The whole run (chaos, drain, checks) stays within `capS`. */
const MODES = {
  standard: {
    seconds: 180,
    jobsPerSecond: 30,
    workers: 3,
    drainSeconds: 60,
    checkS: 30,
    capS: 300,
  },
  long: { seconds: 900, jobs: 100_000, workers: 10, drainSeconds: 600, checkS: 300, capS: 1_800 },
} as const;
const long = values.long;
const mode = long ? MODES.long : MODES.standard;
const seconds = Number(values.seconds ?? mode.seconds);
const drainSeconds = Number(values["drain-seconds"] ?? mode.drainSeconds);
if (!(seconds >= 10 && drainSeconds >= 10 && seconds + drainSeconds + mode.checkS <= mode.capS)) {
  console.error(
    `--seconds and --drain-seconds must be at least 10, and add up to at most ` +
      `${mode.capS - mode.checkS}${long ? " in --long mode" : " (--long allows more)"}`,
  );
  process.exit(2);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const jobs = Number(
  values.jobs ?? ("jobs" in mode ? mode.jobs : Math.round(seconds * mode.jobsPerSecond)),
);
const workers = Number(values.workers ?? mode.workers);
const partition = values.partition ?? long;
const stores = values.stores.split(",").map((s) => s.trim()) as StoreName[];
for (const name of stores) {
  if (!STORE_NAMES.includes(name)) throw new Error(`unknown store ${name}`);
}
if (stores.includes("redis") && !hasRedisServer()) {
  console.error("redis-server is not installed (Debian: apt-get install -y redis-server)");
  process.exit(2);
}

console.log(
  `chaos: seed ${seed}, ${seconds} s of faults, ${jobs} jobs and ${workers} workers per store, ` +
    `stores ${stores.join(", ")}${partition ? ", network partitions (networked stores only)" : ""}`,
);
const replay = [
  long ? "--long" : "",
  partition && !long ? "--partition" : "",
  values.stores === "libsql,redis" ? "" : `--stores ${values.stores}`,
  values.jobs === undefined ? "" : `--jobs ${jobs}`,
  values.workers === undefined ? "" : `--workers ${workers}`,
]
  .filter(Boolean)
  .join(" ");
console.log(
  `replay with: npm run chaos -- ${replay ? `${replay} ` : ""}--seed ${seed} --seconds ${seconds}\n`,
);

const root = mkdtempSync(join(tmpdir(), "jdobb-chaos-"));
const started = Date.now();

// A last resort against a hang: stop redis-server(s) and exit (children exit with us).
const openStores = new Set<StoreUnderTest>();
const abort = (why: string) => {
  console.error(`\n${why}; stopping (run files kept in ${root})`);
  killChildren(); // frozen (SIGSTOPped) ones would not notice that we are gone
  const closing = Promise.all([...openStores].map((store) => store.close().catch(() => {})));
  void Promise.race([closing, sleep(5_000)]).then(() => process.exit(3));
};
setTimeout(
  () => abort("watchdog: the run overran its time"),
  (seconds + drainSeconds + mode.checkS) * 1_000,
).unref();
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => abort(signal));

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
      partition,
      log,
    });
    const queue = openQueue(store.spec);
    const { report, completedAt } = await checkStore(queue, dir).finally(() => queue.close());
    const networked = partition && storeUrl(store.spec) !== null;
    const partitions = networked
      ? recoveryTimes(run.partitions, completedAt, run.chaosStartedAt)
      : null;
    const ok =
      run.drained &&
      !run.producerKilled &&
      run.counts.workerCrashes.length === 0 &&
      report.lost === 0 &&
      report.checkFailures === 0 &&
      report.enqueueErrors === 0 &&
      report.duplicateJobs === 0 &&
      report.sameAttemptTwice === 0;
    return { store: name, ...run, ...report, partitions, ok };
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

printSummary(results, `seed ${seed}, ${seconds} s of faults, ${durationS} s in all`);

const ok = results.length === stores.length && results.every((r) => r.ok);
const date = new Date().toISOString().slice(0, 10);
const out = join(
  import.meta.dirname,
  "../../bench/results",
  `chaos-${date}${long ? "-long" : seconds < 180 ? "-short" : ""}${
    values.stores === "libsql,redis" ? "" : `-${stores.join("-")}`
  }.json`,
);
mkdirSync(join(out, ".."), { recursive: true });
const summary = {
  date: new Date().toISOString(),
  seed,
  mode: long ? "long" : "standard",
  seconds,
  drainSeconds,
  durationS,
  jobsPerStore: jobs,
  workers,
  partition,
  node: process.version,
  ok,
  stores: Object.fromEntries(results.map((r) => [r.store, r])),
};
writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
console.log(`\nsaved ${out}`);
if (values.keep) console.log(`run files kept in ${root}`);
else rmSync(root, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
