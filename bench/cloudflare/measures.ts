/**
 * The measurements the bench Worker runs inside workerd, each on fresh queues of one store:
 * a drain's throughput, update → reader latency, and the calls per second one queue serves.
 * `Date.now()` in workerd moves only across I/O, which every store call and timer is.
 */
import type { Backend } from "../../src/backend.js";
import { Broadcaster, JobQueue, Worker } from "../../src/index.js";
import { countingBackend } from "../../test/support/counting-backend.js";
import type { CeilingRun, LatencyRun, ThroughputRun } from "./protocol.js";

/** Makes a new backend on the measured store. */
export type NewBackend = () => Backend;

/** A queue name no earlier run used (a fresh Durable Object, fresh Redis keys). */
const freshName = (kind: string) => `${kind}-${crypto.randomUUID().slice(0, 8)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DRAIN_BUDGET_MS = 600_000;

/** Enqueues `jobs` noop jobs in batches of `batch`, then drains them at concurrency 10. */
export async function throughput(
  open: NewBackend,
  jobs: number,
  batch: number,
): Promise<ThroughputRun> {
  const counted = countingBackend(open());
  const queue = new JobQueue({ backend: counted.backend, name: freshName("throughput") });
  const started = Date.now();
  for (let sent = 0; sent < jobs; sent += batch) {
    const size = Math.min(batch, jobs - sent);
    await queue.enqueueMany(Array.from({ length: size }, () => ({ type: "noop", payload: null })));
  }
  const enqueued = Date.now();
  const worker = new Worker(queue, { concurrency: 10 }).handler("noop", () => null);
  const summary = await worker.drain({ budgetMs: DRAIN_BUDGET_MS });
  const drainMs = Date.now() - enqueued;
  if (summary.completed !== jobs) throw new Error(`completed ${summary.completed} of ${jobs}`);
  const result: ThroughputRun = {
    jobs,
    enqueueMs: enqueued - started,
    drainMs,
    jobsPerSecond: jobs / (Math.max(drainMs, 1) / 1000),
    storeCallsPerJob: counted.total() / jobs,
    callsByMethod: Object.fromEntries(counted.calls),
  };
  await queue.purge();
  await queue.close();
  return result;
}

/**
 * One job whose handler calls `ctx.update()` `updates` times, `gapMs` apart (the queue writes
 * each: `progressIntervalMs: 0`), while another queue object on its own backend follows it
 * through a `Broadcaster` (the SSE route's path) and notes when each update arrives.
 */
export async function latency(
  open: NewBackend,
  updates: number,
  gapMs: number,
): Promise<LatencyRun> {
  const name = freshName("latency");
  const writer = new JobQueue({ backend: open(), name, progressIntervalMs: 0 });
  const counted = countingBackend(open());
  const reader = new JobQueue({ backend: counted.backend, name });
  const writtenAt: number[] = [];
  const latenciesMs: number[] = [];
  const id = await writer.enqueue("ticker", null);
  const followed = new Broadcaster(reader).subscribe(id);
  await followed.next(); // the snapshot: the reader follows before the job starts
  let delivered = 1;
  const following = (async () => {
    for await (const update of followed) {
      delivered += 1;
      const index = (update.data as { i?: number } | undefined)?.i;
      const sent = index === undefined ? undefined : writtenAt[index];
      if (update.type === "progress" && sent !== undefined) latenciesMs.push(Date.now() - sent);
    }
  })();
  const worker = new Worker(writer).handler("ticker", async (ctx) => {
    for (let i = 0; i < updates; i++) {
      await sleep(gapMs);
      writtenAt[i] = Date.now();
      await ctx.update({ progress: (i + 1) / updates, data: { i } });
    }
    return null;
  });
  await worker.drain({ budgetMs: DRAIN_BUDGET_MS });
  await following; // ends after the completed event
  const readerCalls = Object.fromEntries(counted.calls);
  await writer.purge();
  await writer.close();
  await reader.close();
  return { updates, gapMs, latenciesMs, readerCalls, delivered };
}

/**
 * `parallel` loops, each calling `stats()` back to back for `ms` on one of `queues` empty
 * queues (loop i on queue i mod `queues`): one queue shows one Durable Object's ceiling.
 */
export async function ceiling(
  open: NewBackend,
  parallel: number,
  queues: number,
  ms: number,
): Promise<CeilingRun> {
  const backend = open();
  const spread = Array.from(
    { length: queues },
    () => new JobQueue({ backend, name: freshName("ceiling") }),
  );
  // Each queue's object and schema exist before the clock starts.
  await Promise.all(spread.map((queue) => queue.stats()));
  let ops = 0;
  const started = Date.now();
  const until = started + ms;
  await Promise.all(
    Array.from({ length: parallel }, async (_, loop) => {
      const queue = spread[loop % queues] as JobQueue;
      while (Date.now() < until) {
        await queue.stats();
        ops += 1;
      }
    }),
  );
  const elapsedMs = Date.now() - started;
  await Promise.all(spread.map((queue) => queue.close()));
  return { parallel, queues, ops, elapsedMs, opsPerSecond: ops / (elapsedMs / 1000) };
}
