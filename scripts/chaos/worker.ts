/**
 * One chaos worker process: a real `Worker` on the store named by `CHAOS_STORE`, with short
 * leases. Every attempt it starts is appended (synchronously, so a SIGKILL right after cannot
 * lose it) to `exec-<pid>.jsonl` in `CHAOS_DIR`; errors the worker loop survives go to
 * `errors-<pid>.jsonl`. SIGTERM stops it gracefully; it exits when the orchestrator is gone.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "../../src/index.js";
import {
  type ChaosPayload,
  type ChaosResult,
  describe,
  type ExecutionRecord,
  JOB_TYPE,
  openQueue,
  sleep,
  specFromEnv,
} from "./spec.js";

const dir = process.env.CHAOS_DIR;
if (!dir) throw new Error("CHAOS_DIR is not set");
const { pid } = process;
const execFile = join(dir, `exec-${pid}.jsonl`);
const errorFile = join(dir, `errors-${pid}.jsonl`);

const queue = openQueue(specFromEnv());
const worker = new Worker(queue, {
  concurrency: 4,
  idleMs: { min: 50, max: 500 },
  onError: (error) => appendFileSync(errorFile, `${JSON.stringify(describe(error))}\n`),
});

worker.handler<ChaosPayload, ChaosResult>(
  JOB_TYPE,
  async (ctx) => {
    const { key, workMs, reports, failFirst } = ctx.payload;
    const record: ExecutionRecord = {
      id: ctx.job.id,
      key,
      attempt: ctx.attempt,
      pid,
      at: Date.now(),
    };
    appendFileSync(execFile, `${JSON.stringify(record)}\n`);
    const step = workMs / (reports + 1);
    for (let i = 1; i <= reports; i++) {
      await sleep(step);
      await ctx.update({ progress: i / (reports + 1), message: `step ${i}` });
    }
    await sleep(step);
    if (failFirst && ctx.attempt === 1) {
      throw Object.assign(new Error("planned first-attempt failure"), { code: "PLANNED" });
    }
    return { key, attempt: ctx.attempt, pid };
  },
  { timeoutMs: 15_000 },
);

worker.start();
// The orchestrator talks to us over IPC only to be noticed: if it dies, so do we.
process.once("disconnect", () => process.exit(1));

process.once("SIGTERM", () => {
  void (async () => {
    await worker.stop({ graceMs: 2_000 });
    await queue.close().catch(() => {});
    process.exit(0);
  })();
});
