/**
 * What a plain queue (no keys, limits or schedules) costs redis-server per job, beside BullMQ
 * on the same redis-server: commands per job by name (INFO commandstats deltas, commands run
 * inside scripts included) and redis-server CPU per job (INFO cpu, user + system), for the
 * enqueue and for the drain (claim + complete) separately; for ours over REST also the
 * requests per job at the endpoint, the client's CPU per job and the endpoint's (its Node
 * process, Linux /proc). Standalone, not part of
 * `npm run bench`:
 *
 *   npx tsx bench/redis-cost.ts [jobs=2000] [rounds=2] [only=tcp,rest,bull]
 *
 * Runs are interleaved (ours TCP, ours REST, BullMQ, per concurrency, per round) so a noisy
 * machine affects them alike; the first round's numbers are printed too, but a warm-up drain
 * of each runs before it.
 */
import { execSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Redis as IORedis } from "ioredis";
import { JobQueue, Worker } from "../src/index.js";
import { backendFor, startServers } from "./lib/servers.js";
import { bullConnection, loadPeers } from "./peers/index.js";

const JOBS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 2);
const ONLY = (process.argv[4] ?? "tcp,rest,bull").split(",");
const WORKERS = 10;

const servers = await startServers();
const admin = new IORedis(servers.redisUrl);
const peers = await loadPeers();
/** The process of the REST endpoint (lib/servers-child.ts), a child of this one. */
const endpointPid = execSync(`ps -o pid=,args= --ppid ${process.pid}`)
  .toString()
  .split("\n")
  .find((line) => line.includes("servers-child"))
  ?.trim()
  .split(/\s+/)[0];
/** CPU seconds (user + system) the endpoint's process has used (Linux /proc, 100 ticks/s). */
function endpointCpu(): number {
  if (!endpointPid) return Number.NaN;
  const fields = readFileSync(`/proc/${endpointPid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Redis' counters: calls per command name and CPU seconds (user + system). */
async function snapshot() {
  const stats = await admin.info("commandstats");
  const cpu = await admin.info("cpu");
  const calls = new Map<string, number>();
  const usec = new Map<string, number>();
  for (const m of stats.matchAll(/cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/g)) {
    calls.set(m[1] as string, Number(m[2]));
    usec.set(m[1] as string, Number(m[3]));
  }
  const num = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(cpu)?.[1] ?? 0);
  return { calls, usec, cpu: num("used_cpu_user") + num("used_cpu_sys") };
}

type Snap = Awaited<ReturnType<typeof snapshot>>;

/** Per-job deltas between two snapshots (the admin's own INFO calls left out). */
function perJob(a: Snap, b: Snap, jobs: number) {
  const byName: Record<string, number> = {};
  const usecByName: Record<string, number> = {};
  let total = 0;
  for (const [name, n] of b.calls) {
    if (name === "info") continue;
    const d = n - (a.calls.get(name) ?? 0);
    if (d > 0) {
      byName[name] = +(d / jobs).toFixed(2);
      usecByName[name] = +(((b.usec.get(name) ?? 0) - (a.usec.get(name) ?? 0)) / jobs).toFixed(1);
      total += d;
    }
  }
  const scripts = (usecByName.evalsha ?? 0) + (usecByName.eval ?? 0);
  return {
    total: +(total / jobs).toFixed(2),
    cpuMicros: ((b.cpu - a.cpu) * 1e6) / jobs,
    byName,
    usecByName,
    scripts,
  };
}

interface Result {
  label: string;
  enqueue: ReturnType<typeof perJob>;
  drain: ReturnType<typeof perJob>;
  jobsPerSecond: number;
  clientCpuMicros: number;
  restPerJob?: number;
  endpointCpuMicros?: number;
}

async function measured(label: string, enqueue: () => Promise<void>, drain: () => Promise<void>) {
  const s0 = await snapshot();
  await enqueue();
  const s1 = await snapshot();
  await servers.resetCounts();
  const endpoint0 = endpointCpu();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await drain();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const s2 = await snapshot();
  const rest = (await servers.counts()).restRequests;
  const result: Result = {
    label,
    enqueue: perJob(s0, s1, JOBS),
    drain: perJob(s1, s2, JOBS),
    jobsPerSecond: JOBS / seconds,
    clientCpuMicros: (used.user + used.system) / JOBS,
  };
  if (label.startsWith("ours rest")) {
    result.restPerJob = rest / JOBS;
    result.endpointCpuMicros = ((endpointCpu() - endpoint0) * 1e6) / JOBS;
  }
  return result;
}

async function ours(config: "redis-tcp" | "redis-rest", concurrency: number) {
  const { backend, close } = backendFor(config, servers, "");
  const name = `cost-${crypto.randomUUID().slice(0, 8)}`;
  const open = () => new JobQueue({ backend, name });
  const producer = open();
  const label = `ours ${config === "redis-tcp" ? "tcp " : "rest"} 10x${concurrency}`;
  const result = await measured(
    label,
    async () => {
      for (let i = 0; i < JOBS; i += 500) {
        const size = Math.min(500, JOBS - i);
        await producer.enqueueMany(
          Array.from({ length: size }, (_, j) => ({ type: "noop", payload: i + j })),
        );
      }
    },
    async () => {
      const workers = Array.from({ length: WORKERS }, () =>
        new Worker(open(), { concurrency }).handler("noop", () => null),
      );
      await Promise.all(workers.map((w) => w.drain({ budgetMs: 600_000 })));
    },
  );
  await producer.purge();
  await close();
  return result;
}

async function bull(concurrency: number) {
  const peer = peers?.bullmq;
  if (!peer) throw new Error("BullMQ not installed in bench/node_modules");
  const connection = bullConnection(servers.redisUrl);
  const name = `bull-${crypto.randomUUID().slice(0, 8)}`;
  const queue = new peer.Queue(name, { connection });
  let done = 0;
  let finish = () => {};
  const allDone = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const workers = Array.from({ length: WORKERS }, () => {
    const w = new peer.Worker(name, async () => null, { connection, concurrency, autorun: false });
    w.on("completed", () => {
      if (++done === JOBS) finish();
    });
    return w;
  });
  const result = await measured(
    `bullmq   10x${concurrency}`,
    async () => {
      for (let i = 0; i < JOBS; i += 500) {
        const size = Math.min(500, JOBS - i);
        await queue.addBulk(
          Array.from({ length: size }, (_, j) => ({ name: "noop", data: i + j })),
        );
      }
    },
    async () => {
      for (const w of workers) void w.run();
      await allDone;
    },
  );
  await Promise.all(workers.map((w) => w.close()));
  await queue.obliterate({ force: true });
  await queue.close();
  return result;
}

const f = (n: number) => n.toFixed(1).padStart(7);
function print(r: Result) {
  console.log(
    `${r.label}  drain cmds/job ${f(r.drain.total)}  srv cpu µs/job ${f(r.drain.cpuMicros)}  ` +
      `jobs/s ${f(r.jobsPerSecond)}  client µs/job ${f(r.clientCpuMicros)}` +
      (r.restPerJob !== undefined
        ? `  REST req/job ${r.restPerJob.toFixed(3)} endpoint µs/job ${f(r.endpointCpuMicros ?? 0)}`
        : "") +
      `  | enqueue cmds/job ${r.enqueue.total} srv cpu µs/job ${r.enqueue.cpuMicros.toFixed(1)}`,
  );
  console.log(
    `    drain: script µs/job ${r.drain.scripts.toFixed(1)}; calls per job by command ` +
      JSON.stringify(r.drain.byName),
  );
  if (process.env.USEC)
    console.log(`    drain µs/job by command ${JSON.stringify(r.drain.usecByName)}`);
}

const runs: [string, number, () => Promise<Result>][] = [];
for (const c of [1, 5]) {
  if (ONLY.includes("tcp")) runs.push(["tcp", c, () => ours("redis-tcp", c)]);
  if (ONLY.includes("rest")) runs.push(["rest", c, () => ours("redis-rest", c)]);
  if (ONLY.includes("bull")) runs.push(["bull", c, () => bull(c)]);
}
try {
  for (const [, , run] of runs) await run(); // warm-up: scripts loaded, JIT warm
  for (let round = 1; round <= ROUNDS; round++) {
    console.log(`--- round ${round} (${JOBS} jobs per run)`);
    for (const [, , run] of runs) print(await run());
  }
} finally {
  admin.disconnect();
  await servers.stop();
}
