/**
 * Idle cost: store calls per hour for a worker with nothing to do.
 * - Ours, cron-driven (serverless): each tick is one drain on an empty queue. Ticks are
 *   measured, then extrapolated to a 1-minute schedule; nothing runs between ticks.
 * - Ours, `worker.start()` (a long-running process): REST requests over the window.
 * - BullMQ: Redis commands from an idle worker over the same window.
 * Both long-running workers are measured over the same wall-clock window, side by side
 * (BullMQ only when the peers are installed).
 */
import { JobQueue, Worker } from "../src/index.js";
import { monitorCommands } from "./lib/monitor.js";
import { backendFor, type Servers } from "./lib/servers.js";
import { type BullMQ, bullConnection } from "./peers/index.js";

export interface IdleCost {
  /** Store calls measured per cron tick (median of the ticks). */
  callsPerTick: number;
  /** Cron at one tick per minute: 60 ticks an hour. */
  cronPerHour: number;
  /** `worker.start()` idle loop, per hour (REST requests). */
  loopPerHour: number;
  /** BullMQ idle worker, Redis commands its clients send per hour (null: not installed). */
  bullmqPerHour: number | null;
  windowSeconds: number;
}

export async function idleCost(
  servers: Servers,
  windowSeconds: number,
  bullmq: BullMQ | null,
): Promise<IdleCost> {
  const { backend } = backendFor("redis-rest", servers, "");
  const queue = new JobQueue({ backend, name: `idle-${crypto.randomUUID().slice(0, 8)}` });
  const worker = new Worker(queue).handler("noop", () => null);

  // Cron mode: measure a few ticks one by one.
  await worker.drain({ budgetMs: 1_000 }); // warm-up: the claim script is loaded
  const perTick: number[] = [];
  for (let i = 0; i < 5; i++) {
    const before = (await servers.counts()).restRequests;
    await worker.drain({ budgetMs: 25_000 });
    perTick.push((await servers.counts()).restRequests - before);
  }
  const callsPerTick = [...perTick].sort((a, b) => a - b)[2] as number;

  // Loop mode and BullMQ side by side over the same window, told apart by Redis database:
  // BullMQ on db 1, ours (through the REST endpoint) on db 0.
  const bull = bullmq
    ? new bullmq.Worker(`bull-idle-${crypto.randomUUID().slice(0, 8)}`, async () => null, {
        connection: bullConnection(servers.redisUrl, 1),
      })
    : null;
  await bull?.waitUntilReady();
  const looping = new Worker(queue).handler("noop", () => null);
  looping.start();
  await new Promise((resolve) => setTimeout(resolve, 6_000)); // both reach their idle rhythm
  const before = (await servers.counts()).restRequests;
  const counts = await monitorCommands(servers.redisUrl, async () => {
    await new Promise((resolve) => setTimeout(resolve, windowSeconds * 1_000));
  });
  const restDelta = (await servers.counts()).restRequests - before;
  await looping.stop();
  await bull?.close();
  const perHour = (n: number) => Math.round((n * 3_600) / windowSeconds);
  return {
    callsPerTick,
    cronPerHour: callsPerTick * 60,
    loopPerHour: perHour(restDelta),
    bullmqPerHour: bull ? perHour(counts.sent.get(1) ?? 0) : null,
    windowSeconds,
  };
}
