/**
 * `npm run demo`: a terminal-only demo on an embedded libSQL file (no services needed), or on
 * Redis when UPSTASH_REDIS_REST_URL / REDIS_URL is set. Enqueues a few jobs, runs them with a
 * worker, and prints each job's streamed progress.
 */
import { Broadcaster, JobQueue, type JobUpdate, Worker } from "../../src/index.js";
import { backendFromEnv } from "./backend-from-env.js";
import { registerDemoHandlers } from "./jobs.js";

const { backend, label } = backendFromEnv();
const queue = new JobQueue({ backend, name: "demo" });
const worker = registerDemoHandlers(new Worker(queue, { concurrency: 2 }), queue, 250);

function describe(type: string, u: JobUpdate): string {
  const pct = `${Math.round(u.progress * 100)}%`.padStart(4);
  const failed = u.type === "retry-scheduled" || u.type === "failed";
  const detail = failed
    ? `error: ${u.error?.message}`
    : u.result
      ? `result: ${JSON.stringify(u.result)}`
      : (u.message ?? "");
  return `[${type.padEnd(6)} ${u.jobId.slice(-6)}] #${String(u.seq).padEnd(2)} ${u.type.padEnd(15)} ${u.state.padEnd(9)} ${pct}  ${detail}`;
}

async function follow(id: string, type: string): Promise<void> {
  for await (const update of new Broadcaster(queue).subscribe(id))
    console.log(describe(type, update));
}

console.log(`jdobb-async-queue demo: ${label}\n`);
const jobs = [
  { type: "resize", payload: { image: "cat.png", tiles: 4 } },
  { type: "resize", payload: { image: "dog.png", tiles: 3 }, options: { priority: 5 } },
  {
    type: "report",
    payload: { month: "2026-11" },
    options: { backoff: { delayMs: 500, jitter: 0 } },
  },
];
await queue.purge(); // start each run from an empty demo queue
const outcomes = await queue.enqueueMany(jobs);
console.log(
  `enqueued ${outcomes.length} jobs: ${outcomes.map((o) => o.id.slice(-6)).join(", ")}\n`,
);

const following = Promise.all(outcomes.map((o, i) => follow(o.id, jobs[i]?.type ?? "?")));
worker.start();
await following;
await worker.stop();
console.log("\nstats:", await queue.stats());
await queue.close();
process.exit(0); // a TCP Redis client would otherwise keep the process alive
