/**
 * Throughput of claim → complete with 10 workers (concurrency 1 each), ours on every store
 * configuration and the peers on the same machine: BullMQ on the same redis-server, plainjob
 * on better-sqlite3. Jobs are enqueued first; the clock runs from the first claim to the last
 * completion.
 */
import { join } from "node:path";
import { JobQueue, Worker } from "../src/index.js";
import { tempDir } from "../test/support/temp-dir.js";
import { backendFor, type Config, type Endpoints } from "./lib/servers.js";
import { type BullMQ, bullConnection, type Plainjob } from "./peers/index.js";

const WORKERS = 10;
const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** Jobs per second for one run of ours. */
export async function ours(config: Config, servers: Endpoints, jobs: number): Promise<number> {
  const dir = tempDir();
  const { backend, close } = backendFor(config, servers, `file:${join(dir.path, "q.db")}`);
  const name = unique("tp");
  const producer = new JobQueue({ backend, name });
  for (let i = 0; i < jobs; i += 500) {
    const size = Math.min(500, jobs - i);
    await producer.enqueueMany(
      Array.from({ length: size }, (_, j) => ({ type: "noop", payload: i + j })),
    );
  }
  const workers = Array.from({ length: WORKERS }, () =>
    new Worker(new JobQueue({ backend, name })).handler("noop", () => null),
  );
  const started = performance.now();
  await Promise.all(workers.map((worker) => worker.drain({ budgetMs: 600_000 })));
  const seconds = (performance.now() - started) / 1000;
  const { completed } = await producer.stats();
  if (completed !== jobs) throw new Error(`${config}: ${completed} of ${jobs} jobs completed`);
  await producer.purge();
  await close();
  dir.remove();
  return jobs / seconds;
}

/** Jobs per second for one run of BullMQ 6 (10 workers, concurrency 1). */
export async function bullmq(peer: BullMQ, redisUrl: string, jobs: number): Promise<number> {
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
      concurrency: 1,
      autorun: false,
    });
    worker.on("completed", () => {
      if (++done === jobs) finish();
    });
    return worker;
  });
  const started = performance.now();
  for (const worker of workers) void worker.run();
  await allDone;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((worker) => worker.close()));
  await queue.obliterate({ force: true });
  await queue.close();
  return jobs / seconds;
}

/** Jobs per second for one run of plainjob on better-sqlite3 (10 workers). */
export async function plainjob(peer: Plainjob, jobs: number): Promise<number> {
  const { better, defineQueue, defineWorker } = peer;
  const dir = tempDir();
  const db = new peer.Database(join(dir.path, "plain.db"));
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
  const workers = Array.from({ length: WORKERS }, () =>
    defineWorker("noop", () => {}, {
      queue,
      logger: silent,
      onCompleted: () => {
        if (++done === jobs) finish();
      },
    }),
  );
  const started = performance.now();
  for (const worker of workers) void worker.start();
  await allDone;
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(workers.map((worker) => worker.stop()));
  queue.close();
  db.close();
  dir.remove();
  return jobs / seconds;
}
