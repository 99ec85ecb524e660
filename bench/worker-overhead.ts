/**
 * What the worker itself costs per job: drains N noop jobs through a Worker over a fake
 * in-memory store that answers at once, and prints µs per job (median of the runs), at
 * concurrency 1 and 10. A "queue calls alone" row (claim + complete in a plain loop, no
 * Worker) shows how much of it is the queue object rather than the worker.
 *
 *   node --import tsx bench/worker-overhead.ts [--jobs 20000] [--runs 5]
 */
import { parseArgs } from "node:util";
import { JobQueue, Worker } from "../src/index.js";
import { instantBackend } from "./lib/instant-backend.js";

const { values } = parseArgs({
  options: { jobs: { type: "string", default: "20000" }, runs: { type: "string", default: "5" } },
});
const jobs = Number(values.jobs);
const runs = Number(values.runs);

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** µs per job for one drain of `jobs` noop jobs. */
async function drainOnce(concurrency: number): Promise<number> {
  const queue = new JobQueue({ backend: instantBackend(jobs) });
  const worker = new Worker(queue, { concurrency }).handler("noop", () => null);
  const started = performance.now();
  const summary = await worker.drain({ budgetMs: 3_600_000 });
  const elapsed = performance.now() - started;
  if (summary.completed !== jobs) throw new Error(`completed ${summary.completed} of ${jobs}`);
  await queue.close();
  return (elapsed * 1_000) / jobs;
}

/** µs per job for the same jobs claimed and completed by hand, one at a time. */
async function queueOnce(): Promise<number> {
  const queue = new JobQueue({ backend: instantBackend(jobs) });
  const started = performance.now();
  for (let job = await queue.claim(); job; job = await queue.claim()) {
    await queue.complete(job, null);
  }
  const elapsed = performance.now() - started;
  await queue.close();
  return (elapsed * 1_000) / jobs;
}

async function measure(label: string, once: () => Promise<number>): Promise<void> {
  await once(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once());
  const spread = samples.map((s) => s.toFixed(1)).join(", ");
  console.log(`${label.padEnd(26)} ${median(samples).toFixed(1).padStart(6)} µs/job  (${spread})`);
}

console.log(`${jobs} noop jobs, median of ${runs} runs, store answers at once`);
await measure("worker, concurrency 1", () => drainOnce(1));
await measure("worker, concurrency 10", () => drainOnce(10));
await measure("queue calls alone", queueOnce);
