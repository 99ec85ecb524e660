/**
 * The chaos producer: enqueues `CHAOS_JOBS` jobs spread over `CHAOS_SPREAD_MS`, each when it is
 * due (the ones that fell due during a slow call go together in one `enqueueMany`, up to 50).
 * Each job has a unique key (also its idempotency key). A job is recorded as acknowledged in
 * `producer.jsonl` only once the enqueue resolved with its id; `BackendUnavailableError` is
 * retried (same keys) for up to a minute, any other error is recorded and the jobs are left
 * unacknowledged (the checks then look for them in the store anyway).
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { BackendUnavailableError } from "../../src/index.js";
import { mulberry32 } from "./prng.js";
import {
  type ChaosPayload,
  describe,
  JOB_TYPE,
  MAX_ATTEMPTS,
  openQueue,
  sleep,
  specFromEnv,
} from "./spec.js";

/** One line of `producer.jsonl`. */
export type ProducerRecord =
  | { t: "ack"; key: string; id: string; tries: number }
  | { t: "retry"; key: string; error: ReturnType<typeof describe> }
  | { t: "error"; key: string; error: ReturnType<typeof describe>; tries: number }
  | { t: "gave-up"; key: string; tries: number };

const dir = process.env.CHAOS_DIR;
if (!dir) throw new Error("CHAOS_DIR is not set");
const jobs = Number(process.env.CHAOS_JOBS);
const spreadMs = Number(process.env.CHAOS_SPREAD_MS);
const random = mulberry32(Number(process.env.CHAOS_SEED));
const file = join(dir, "producer.jsonl");
const log = (record: ProducerRecord) => appendFileSync(file, `${JSON.stringify(record)}\n`);

const queue = openQueue(specFromEnv());
const started = Date.now();
const RETRY_FOR_MS = 60_000;
// Bounded whatever the store does: stop enqueueing a minute after the last job was due.
const stopAt = started + spreadMs + RETRY_FOR_MS;
process.once("disconnect", () => process.exit(1)); // the orchestrator is gone

/** Jobs per `enqueueMany` call at most: a producer that fell behind catches up in batches. */
const BATCH = 50;
const dueAt = (n: number) => started + (n * spreadMs) / jobs;

function newJob(n: number) {
  const key = `job-${String(n).padStart(6, "0")}`;
  const payload: ChaosPayload = {
    key,
    workMs: 10 + Math.floor(random() * 91),
    reports: random() < 0.3 ? 1 + Math.floor(random() * 3) : 0,
    failFirst: random() < 0.05,
  };
  const options = {
    idempotencyKey: key,
    concurrencyKey: n % 2 === 0 ? `tenant-${(n / 2) % 8}` : null,
    maxAttempts: MAX_ATTEMPTS,
    backoff: { delayMs: 200, maxDelayMs: 1_000 },
  };
  return { type: JOB_TYPE, payload, options };
}

/** Enqueues `batch` in one call, retrying it (same keys) while the store is unavailable. */
async function enqueueBatch(batch: Array<ReturnType<typeof newJob>>): Promise<void> {
  const keys = batch.map((job) => job.payload.key);
  const giveUpAt = Date.now() + RETRY_FOR_MS;
  for (let tries = 1; ; tries++) {
    try {
      const results = await queue.enqueueMany(batch);
      results.forEach(({ id }, i) => {
        log({ t: "ack", key: keys[i] as string, id, tries });
      });
      return;
    } catch (error) {
      if (!(error instanceof BackendUnavailableError)) {
        for (const key of keys) log({ t: "error", key, error: describe(error), tries });
        return;
      }
      log({ t: "retry", key: keys[0] as string, error: describe(error) });
      if (Date.now() > Math.min(giveUpAt, stopAt)) {
        for (const key of keys) log({ t: "gave-up", key, tries });
        return;
      }
      await sleep(250);
    }
  }
}

let n = 0;
while (n < jobs && Date.now() < stopAt) {
  if (dueAt(n) > Date.now()) await sleep(dueAt(n) - Date.now());
  const batch = [newJob(n++)];
  while (n < jobs && batch.length < BATCH && dueAt(n) <= Date.now()) batch.push(newJob(n++));
  await enqueueBatch(batch);
}
await queue.close().catch(() => {});
process.exit(0);
