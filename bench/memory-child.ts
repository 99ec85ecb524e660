/**
 * Child process of the memory benchmark: starts N idle in-process workers, each with its own
 * queue object and libSQL file connection, then reports heap and RSS after a full GC.
 * Usage: node --expose-gc --import tsx bench/memory-child.ts <workers> <dir>
 */
import { join } from "node:path";
import { libsqlBackend } from "../src/backends/libsql/node.js";
import { JobQueue, Worker } from "../src/index.js";

const count = Number(process.argv[2]);
const dir = process.argv[3] as string;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --expose-gc");

const workers: Worker[] = [];
for (let i = 0; i < count; i++) {
  const queue = new JobQueue({
    backend: libsqlBackend({ url: `file:${join(dir, "mem.db")}` }),
    name: "mem",
  });
  const worker = new Worker(queue).handler("noop", () => null);
  worker.start();
  workers.push(worker);
}
await new Promise((resolve) => setTimeout(resolve, 1_500)); // every worker has polled
for (let i = 0; i < 3; i++) gc();
const { heapUsed, rss } = process.memoryUsage();
process.send?.({ heapUsed, rss });
await Promise.all(workers.map((worker) => worker.stop()));
process.exit(0);
