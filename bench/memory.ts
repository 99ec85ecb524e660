/** Memory per in-process worker: heap and RSS with 1, 10 and 100 idle workers (child processes). */
import { fork } from "node:child_process";
import { tempDir } from "../test/support/temp-dir.js";

export interface MemoryPoint {
  workers: number;
  heapMB: number;
  rssMB: number;
}

function measure(workers: number, dir: string): Promise<MemoryPoint> {
  return new Promise((resolve, reject) => {
    const child = fork(
      new URL("./memory-child.ts", import.meta.url).pathname,
      [String(workers), dir],
      {
        execArgv: ["--expose-gc", "--import", "tsx"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    );
    child.once("message", (m: { heapUsed: number; rss: number }) =>
      resolve({ workers, heapMB: m.heapUsed / 2 ** 20, rssMB: m.rss / 2 ** 20 }),
    );
    child.once("exit", (code) => code !== 0 && reject(new Error(`memory child exited ${code}`)));
  });
}

/** Points for 1, 10 and 100 workers, and the marginal cost of one more worker (MB). */
export async function memoryPerWorker(counts = [1, 10, 100]) {
  const dir = tempDir();
  const points: MemoryPoint[] = [];
  for (const n of counts) points.push(await measure(n, dir.path));
  dir.remove();
  const first = points[0] as MemoryPoint;
  const last = points.at(-1) as MemoryPoint;
  const span = last.workers - first.workers;
  return {
    points,
    marginalHeapMB: (last.heapMB - first.heapMB) / span,
    marginalRssMB: (last.rssMB - first.rssMB) / span,
  };
}
