/**
 * Store calls for one job's life: enqueue → claim → 3 progress updates → complete.
 * Ours: HTTP requests counted at the REST and Hrana endpoints, and Redis commands from
 * INFO commandstats (top-level, i.e. what a client sends and Upstash bills, and all commands
 * including those run inside scripts). BullMQ: the same life on the same redis-server.
 */
import { type Job, JobQueue } from "../src/index.js";
import { monitorCommands } from "./lib/monitor.js";
import { backendFor, type Config, type Servers } from "./lib/servers.js";
import { type BullMQ, bullConnection } from "./peers/index.js";

export interface LifeCalls {
  requests: number | null;
  topLevelCommands: number;
  allCommands: number;
}

/** Commands Redis ran for `fn` (database 0): sent by clients, and including script calls. */
async function countCommands(redisUrl: string, fn: () => Promise<void>) {
  const counts = await monitorCommands(redisUrl, fn);
  return { topLevel: counts.sent.get(0) ?? 0, all: counts.all.get(0) ?? 0 };
}

async function oneLife(queue: JobQueue): Promise<void> {
  await queue.enqueue("life", { n: 1 });
  const job = (await queue.claim()) as Job;
  for (const progress of [0.25, 0.5, 0.75]) await queue.update(job, { progress });
  await queue.complete(job, { ok: true });
}

/** Ours on one Redis configuration (REST or TCP). */
export async function ours(config: Config, servers: Servers): Promise<LifeCalls> {
  const { backend, close } = backendFor(config, servers, "");
  const name = `life-${crypto.randomUUID().slice(0, 8)}`;
  const queue = new JobQueue({ backend, name, progressIntervalMs: 0 });
  await oneLife(queue); // warm-up: each script is sent once with EVAL, then EVALSHA
  await servers.resetCounts();
  const commands = await countCommands(servers.redisUrl, () => oneLife(queue));
  const { restRequests } = await servers.counts();
  await queue.purge();
  await close();
  return {
    requests: config === "redis-rest" ? restRequests : null,
    topLevelCommands: commands.topLevel,
    allCommands: commands.all,
  };
}

/** Ours over libSQL HTTP: requests at the Hrana endpoint. */
export async function oursLibsqlHttp(servers: Servers): Promise<number> {
  const { backend, close } = backendFor("libsql-http", servers, "");
  const name = `life-${crypto.randomUUID().slice(0, 8)}`;
  const queue = new JobQueue({ backend, name, progressIntervalMs: 0 });
  await oneLife(queue); // warm-up (creates the schema on a fresh database)
  const before = (await servers.counts()).hranaRequests;
  await oneLife(queue);
  const requests = (await servers.counts()).hranaRequests - before;
  await queue.purge();
  await close();
  return requests;
}

/** BullMQ 6: the same life (add, process with three updateProgress calls, complete). */
export async function bullmq(peer: BullMQ, redisUrl: string): Promise<LifeCalls> {
  const connection = bullConnection(redisUrl);
  const name = `bull-life-${crypto.randomUUID().slice(0, 8)}`;
  const queue = new peer.Queue(name, { connection });
  let done = () => {};
  const worker = new peer.Worker(
    name,
    async (job) => {
      for (const progress of [25, 50, 75]) await job.updateProgress(progress);
      return { ok: true };
    },
    { connection, concurrency: 1 },
  );
  worker.on("completed", () => done());
  await worker.waitUntilReady();
  const life = async () => {
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    await queue.add("life", { n: 1 });
    await finished;
  };
  await life(); // warm-up: scripts loaded, worker blocked waiting for the next job
  const commands = await countCommands(redisUrl, life);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return { requests: null, topLevelCommands: commands.topLevel, allCommands: commands.all };
}
