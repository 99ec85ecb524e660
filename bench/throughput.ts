/**
 * Throughput of claim → complete with 10 workers of concurrency 1 and of concurrency 5, ours on
 * every store configuration and the peers on the same machine: BullMQ on the same
 * redis-server, plainjob on better-sqlite3. Jobs are enqueued first; the clock runs from the
 * first claim to the last completion. Over the same span the bench process's CPU time (user +
 * system, `process.cpuUsage()`) is taken: the store servers (redis-server, the REST and Hrana
 * endpoints) run in another process (lib/servers-child.ts), so what is counted is the client's
 * work, what a Worker bills and limits; with a probe the servers' own CPU, Redis commands and
 * HTTP requests over the drain are added (lib/probe.ts). On request a run instead counts the WAL frames the
 * SQLite file stores write (lib/wal.ts): such a run's timings are not used.
 */
import { join } from "node:path";
import Database from "libsql";
import { type EnqueueOptions, JobQueue, type JobQueueOptions, Worker } from "../src/index.js";
import { tempDir } from "../test/support/temp-dir.js";
import { NO_SERVER, type Probe, type ServerCosts, serverCosts } from "./lib/probe.js";
import { backendFor, type Config, type Endpoints } from "./lib/servers.js";
import { type WalWrites, walWrites } from "./lib/wal.js";
import { type BullMQ, bullConnection, type Plainjob } from "./peers/index.js";

const WORKERS = 10;
/** Concurrency per worker in section 1: 10 × 1 and 10 × 5. */
export const CONCURRENCIES = [1, 5] as const;
export type Concurrency = (typeof CONCURRENCIES)[number];

const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** One run: jobs per second, the client's CPU per job and the servers' share over the drain. */
export interface Run extends ServerCosts {
  jobsPerSecond: number;
  /** This process's user + system CPU (`process.cpuUsage()`, every thread) ÷ jobs, µs. */
  clientCpuMicrosPerJob: number;
}

/**
 * Times `drain` (wall clock and this process's user + system CPU); with a probe, also reads the
 * servers' counters just outside the timed span (see lib/probe.ts).
 */
async function measure(jobs: number, drain: () => Promise<void>, probe?: Probe): Promise<Run> {
  const before = await probe?.counts();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await drain();
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const after = await probe?.counts();
  return {
    jobsPerSecond: jobs / seconds,
    clientCpuMicrosPerJob: (user + system) / jobs,
    ...(probe && before && after ? serverCosts(probe, before, after, jobs) : NO_SERVER),
  };
}

/** Counts the WAL frames `drain` writes to the file at `path` (see lib/wal.ts). */
type WalProbe = (path: string, drain: () => Promise<void>) => Promise<WalWrites>;

/** What a run's jobs and queues look like beyond the plain case (see claim-features.ts). */
export interface Variant {
  /** Options of the queue objects (producer and workers alike). */
  queue?: Partial<JobQueueOptions>;
  /** Enqueue options of job `i`. */
  job?: (i: number) => EnqueueOptions;
  /** Runs on the producer before the jobs are enqueued. */
  setup?: (producer: JobQueue) => Promise<void>;
}

/** How a run of ours differs from the plain, unprobed one. */
export interface OursOptions {
  variant?: Variant;
  /** Reads the servers' counters around the drain (see lib/probe.ts). */
  probe?: Probe;
}

async function oursRun(
  config: Config,
  servers: Endpoints,
  jobs: number,
  concurrency: Concurrency,
  wal: WalProbe | null,
  { variant = {}, probe }: OursOptions = {},
): Promise<Run | WalWrites> {
  const dir = tempDir();
  const path = join(dir.path, "q.db");
  const { backend, close } = backendFor(config, servers, `file:${path}`);
  const name = unique("tp");
  const open = () => new JobQueue({ ...variant.queue, backend, name });
  const producer = open();
  await variant.setup?.(producer);
  for (let i = 0; i < jobs; i += 500) {
    const size = Math.min(500, jobs - i);
    await producer.enqueueMany(
      Array.from({ length: size }, (_, j) => ({
        type: "noop",
        payload: i + j,
        options: variant.job?.(i + j),
      })),
    );
  }
  const workers = Array.from({ length: WORKERS }, () =>
    new Worker(open(), { concurrency }).handler("noop", () => null),
  );
  const drain = async () => {
    await Promise.all(workers.map((worker) => worker.drain({ budgetMs: 600_000 })));
  };
  const result = wal ? await wal(path, drain) : await measure(jobs, drain, probe);
  const { completed } = await producer.stats();
  if (completed !== jobs) throw new Error(`${config}: ${completed} of ${jobs} jobs completed`);
  await producer.purge();
  await close();
  dir.remove();
  return result;
}

/** One timed run of ours (10 workers × `concurrency`). */
export const ours = (
  config: Config,
  servers: Endpoints,
  jobs: number,
  concurrency: Concurrency,
  options?: OursOptions,
) => oursRun(config, servers, jobs, concurrency, null, options) as Promise<Run>;

/** WAL frames ours writes draining `jobs` jobs on the libSQL file store (an untimed run). */
export const oursWal = (servers: Endpoints, jobs: number, concurrency: Concurrency) =>
  oursRun("libsql-file", servers, jobs, concurrency, (path, drain) =>
    walWrites(new Database(path), path, drain),
  ) as Promise<WalWrites>;

/** One timed run of BullMQ 6 (10 workers, `concurrency` each). */
export async function bullmq(
  peer: BullMQ,
  redisUrl: string,
  jobs: number,
  concurrency: Concurrency,
  probe?: Probe,
): Promise<Run> {
  const connection = bullConnection(redisUrl);
  const name = unique("bull");
  const queue = new peer.Queue(name, { connection });
  for (let i = 0; i < jobs; i += 500) {
    const size = Math.min(500, jobs - i);
    await queue.addBulk(Array.from({ length: size }, (_, j) => ({ name: "noop", data: i + j })));
  }
  let done = 0;
  let finish = () => {};
  const allDone = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const workers = Array.from({ length: WORKERS }, () => {
    const worker = new peer.Worker(name, async () => null, {
      connection,
      concurrency,
      autorun: false,
    });
    worker.on("completed", () => {
      if (++done === jobs) finish();
    });
    return worker;
  });
  // Connected before the clock starts, as ours are (their backend connected to enqueue).
  await Promise.all(workers.map((worker) => worker.waitUntilReady()));
  const run = await measure(
    jobs,
    async () => {
      for (const worker of workers) void worker.run();
      await allDone;
    },
    probe,
  );
  await Promise.all(workers.map((worker) => worker.close()));
  await queue.obliterate({ force: true });
  await queue.close();
  return run;
}

/**
 * plainjob on better-sqlite3. plainjob has no concurrency option: a worker is a loop that takes
 * one job at a time, and its documented way to more parallelism is more workers. So 10 × c is
 * 10·c worker loops on the one queue (as 10 × 1 is 10 loops), all on the same connection.
 */
async function plainjobRun(
  peer: Plainjob,
  jobs: number,
  concurrency: Concurrency,
  wal: WalProbe | null,
): Promise<Run | WalWrites> {
  const { better, defineQueue, defineWorker } = peer;
  const dir = tempDir();
  const path = join(dir.path, "plain.db");
  const db = new peer.Database(path);
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  const queue = defineQueue({ connection: better(db), logger: silent });
  queue.addMany(
    "noop",
    Array.from({ length: jobs }, (_, i) => i),
  );
  let done = 0;
  let finish = () => {};
  const allDone = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const workers = Array.from({ length: WORKERS * concurrency }, () =>
    defineWorker("noop", () => {}, {
      queue,
      logger: silent,
      onCompleted: () => {
        if (++done === jobs) finish();
      },
    }),
  );
  const drain = async () => {
    for (const worker of workers) void worker.start();
    await allDone;
  };
  const result = wal ? await wal(path, drain) : await measure(jobs, drain);
  await Promise.all(workers.map((worker) => worker.stop()));
  queue.close();
  db.close();
  dir.remove();
  return result;
}

/** One timed run of plainjob (10 × `concurrency` worker loops). */
export const plainjob = (peer: Plainjob, jobs: number, concurrency: Concurrency) =>
  plainjobRun(peer, jobs, concurrency, null) as Promise<Run>;

/** WAL frames plainjob writes draining `jobs` jobs (an untimed run; it runs in WAL mode). */
export const plainjobWal = (peer: Plainjob, jobs: number, concurrency: Concurrency) =>
  plainjobRun(peer, jobs, concurrency, (path, drain) =>
    walWrites(new peer.Database(path), path, drain),
  ) as Promise<WalWrites>;
