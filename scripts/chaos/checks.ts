/**
 * The end-of-run checks for one store, from three independent records: what the producer saw
 * acknowledged (`producer.jsonl`), what the workers started (`exec-*.jsonl`), and what the
 * store holds (`list`, `get`, `readEvents`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Job, JobQueue, JobUpdate } from "../../src/index.js";
import type { ProducerRecord } from "./producer.js";
import { type ChaosPayload, type ChaosResult, type ExecutionRecord, LEASE_MS } from "./spec.js";

export interface CheckReport {
  /** Jobs the producer saw acknowledged. */
  jobs: number;
  /** Enqueues that threw something other than BackendUnavailableError (not retried). */
  enqueueErrors: number;
  /** BackendUnavailableError retries made by the producer. */
  enqueueRetries: number;
  /** Jobs given up after a minute of BackendUnavailableError. */
  enqueueGaveUp: number;
  /** Unacknowledged jobs that were stored anyway (fine, not lost; checked like the others). */
  unackedButStored: number;
  completed: number;
  /** Acknowledged but never completed: missing from the store, or not finished. */
  lost: number;
  /** Acknowledged jobs that ended dead-lettered, by error code. */
  deadLettered: Record<string, number>;
  /** More than one stored job for one producer key. */
  duplicateJobs: number;
  executions: number;
  /** Executions beyond one per job (two for jobs whose first attempt fails on purpose). */
  duplicateExecutions: number;
  /** The same (job, attempt) started twice: two claims handed out one attempt. */
  sameAttemptTwice: number;
  /** `lease-expired` events: attempts whose worker was killed, frozen or cut off. */
  leaseExpiries: number;
  /** `retry-scheduled` events: failed attempts (planned failures, timeouts). */
  retriesScheduled: number;
  /**
   * `lease-expired` events less than half a lease after the claim (`active` event) they end:
   * the lease was granted (nearly) expired, so two workers held the job at once.
   */
  earlyLeaseExpiries: number;
  /**
   * Attempt k+1 of a job started less than 150 ms after attempt k (no planned retry is that
   * quick: the backoff is ≥ 160 ms): both ran at once. A worker frozen between its claim and
   * the handler's start can also cause this, so it is reported, not failed.
   */
  nearSimultaneousAttempts: number;
  /** Event log and result checks that failed. */
  checkFailures: number;
  /** The first few problems, in words. */
  problems: string[];
  /** Errors the producer or workers reported, "name code: message" → count (top 8). */
  errors: Record<string, number>;
}

function readLines<T>(file: string): T[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return [];
  }
  // A SIGKILL can leave a last line half written; skip what does not parse.
  return text.split("\n").flatMap((line) => {
    if (!line) return [];
    try {
      return [JSON.parse(line) as T];
    } catch {
      return [];
    }
  });
}

function readAll<T>(dir: string, prefix: string): T[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith(".jsonl"))
    .flatMap((name) => readLines<T>(join(dir, name)));
}

async function allJobs(queue: JobQueue): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | null = null;
  do {
    const page = await queue.list({ limit: 1_000, cursor });
    jobs.push(...page.jobs);
    cursor = page.cursor;
  } while (cursor);
  return jobs;
}

async function allEvents(queue: JobQueue, id: string): Promise<JobUpdate[]> {
  const events: JobUpdate[] = [];
  while (true) {
    const page = await queue.readEvents(id, { after: events.at(-1)?.seq ?? 0, limit: 1_000 });
    events.push(...page);
    if (page.length < 1_000) return events;
  }
}

const TERMINAL = new Set(["completed", "failed", "cancelled"]);

/** What is wrong with one stored job's event log and result (empty: nothing). */
async function checkJob(queue: JobQueue, job: Job, types: Map<string, number>): Promise<string[]> {
  const problems: string[] = [];
  const events = await allEvents(queue, job.id);
  for (const { type } of events) types.set(type, (types.get(type) ?? 0) + 1);
  let claimedAt: number | null = null;
  for (const event of events) {
    if (event.type === "active") claimedAt = event.at;
    if (
      event.type === "lease-expired" &&
      claimedAt !== null &&
      event.at - claimedAt < LEASE_MS / 2
    ) {
      types.set("early-expiry", (types.get("early-expiry") ?? 0) + 1);
      problems.push(
        `lease of attempt ${event.attempt} expired ${event.at - claimedAt} ms after its claim`,
      );
    }
  }
  events.forEach((event, i) => {
    if (event.seq !== i + 1) problems.push(`event ${i + 1} has seq ${event.seq}`);
  });
  if (events.length !== job.seq) problems.push(`${events.length} events, job.seq ${job.seq}`);
  if (events[0]?.type !== "enqueued") problems.push(`first event is ${events[0]?.type}`);
  const terminal = events.filter((event) => TERMINAL.has(event.type));
  if (terminal.length !== 1) {
    problems.push(`${terminal.length} terminal events (${terminal.map((e) => e.type).join(",")})`);
  } else if (terminal[0] !== events.at(-1)) {
    problems.push(`terminal event ${terminal[0]?.type} is not the last`);
  }
  if (job.state === "completed") {
    const result = job.result as ChaosResult | null;
    const key = (job.payload as ChaosPayload).key;
    if (result?.key !== key) problems.push(`result key ${result?.key}`);
    if (result?.attempt !== job.attempts) {
      problems.push(`result from attempt ${result?.attempt}, job has ${job.attempts} attempts`);
    }
    if (events.at(-1)?.attempt !== job.attempts) {
      problems.push(`completed event says attempt ${events.at(-1)?.attempt}`);
    }
  }
  return problems;
}

/** Runs `fn` over `items`, `parallel` at a time. */
async function each<T>(items: T[], parallel: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: parallel }, lane));
}

/** The checks' report, and the completed jobs' completion times (epoch ms, for recovery times). */
export async function checkStore(
  queue: JobQueue,
  dir: string,
): Promise<{ report: CheckReport; completedAt: number[] }> {
  const produced = readLines<ProducerRecord>(join(dir, "producer.jsonl"));
  const executions = readAll<ExecutionRecord>(dir, "exec-");
  const workerErrors = readAll<{ name: string; code: string; message: string }>(dir, "errors-");
  const problems: string[] = [];
  const problem = (text: string) => {
    if (problems.length < 12) problems.push(text);
  };

  const errors = new Map<string, number>();
  const countError = (where: string, e: { name: string; code: string; message: string }) => {
    const text = `${where}: ${e.name}${e.code ? ` ${e.code}` : ""}: ${e.message.slice(0, 120)}`;
    errors.set(text, (errors.get(text) ?? 0) + 1);
  };
  const acked = new Map<string, string>(); // key → id
  let enqueueErrors = 0;
  let enqueueRetries = 0;
  let enqueueGaveUp = 0;
  for (const record of produced) {
    if (record.t === "ack") acked.set(record.key, record.id);
    if (record.t === "retry") enqueueRetries += 1;
    if (record.t === "gave-up") enqueueGaveUp += 1;
    if (record.t === "retry" || record.t === "error") countError("enqueue", record.error);
    if (record.t === "error") {
      enqueueErrors += 1;
      problem(`enqueue of ${record.key} threw ${record.error.name}: ${record.error.message}`);
    }
  }
  for (const error of workerErrors) countError("worker", error);

  const stored = await allJobs(queue);
  const byKey = new Map<string, Job[]>();
  for (const job of stored) {
    const key = (job.payload as ChaosPayload).key;
    byKey.set(key, [...(byKey.get(key) ?? []), job]);
  }
  let duplicateJobs = 0;
  for (const [key, jobs] of byKey) {
    if (jobs.length > 1) {
      duplicateJobs += jobs.length - 1;
      problem(`${jobs.length} stored jobs for ${key}: ${jobs.map((j) => j.id).join(", ")}`);
    }
  }

  const completedAt: number[] = [];
  for (const job of stored) if (job.state === "completed") completedAt.push(job.updatedAt);
  let completed = 0;
  let lost = 0;
  let checkFailures = 0;
  const deadLettered: Record<string, number> = {};
  const toCheck: Job[] = [];
  for (const [key, id] of acked) {
    const job = byKey.get(key)?.find((j) => j.id === id) ?? (await queue.get(id));
    if (!job) {
      lost += 1;
      problem(`acknowledged ${key} (${id}) is not in the store`);
      continue;
    }
    toCheck.push(job);
    if (job.state === "completed") completed += 1;
    else {
      lost += 1;
      problem(`acknowledged ${key} (${id}) ended ${job.state} after ${job.attempts} attempts`);
      if (job.state === "failed") {
        const code = job.error?.code ?? "?";
        deadLettered[code] = (deadLettered[code] ?? 0) + 1;
      }
    }
  }
  let unackedButStored = 0;
  for (const [key, jobs] of byKey) {
    if (acked.has(key)) continue;
    unackedButStored += 1;
    toCheck.push(...jobs);
    for (const job of jobs) {
      if (job.state !== "completed") {
        checkFailures += 1;
        problem(`unacknowledged but stored ${key} (${job.id}) ended ${job.state}`);
      }
    }
  }
  const types = new Map<string, number>();
  await each(toCheck, 8, async (job) => {
    const found = await checkJob(queue, job, types);
    if (found.length > 0) {
      checkFailures += 1;
      problem(`${(job.payload as ChaosPayload).key} (${job.id}): ${found.join("; ")}`);
    }
  });

  const runs = new Map<string, number>(); // job id → executions
  const attempts = new Map<string, number>(); // `${id}#${attempt}` → executions
  for (const run of executions) {
    runs.set(run.id, (runs.get(run.id) ?? 0) + 1);
    const slot = `${run.id}#${run.attempt}`;
    attempts.set(slot, (attempts.get(slot) ?? 0) + 1);
  }
  const failFirst = new Set(
    stored.filter((job) => (job.payload as ChaosPayload).failFirst).map((job) => job.id),
  );
  let duplicateExecutions = 0;
  for (const [id, count] of runs)
    duplicateExecutions += Math.max(0, count - (failFirst.has(id) ? 2 : 1));
  let nearSimultaneousAttempts = 0;
  const starts = new Map<string, Map<number, number>>(); // id → attempt → start time
  for (const run of executions) {
    const byAttempt = starts.get(run.id) ?? new Map<number, number>();
    starts.set(run.id, byAttempt);
    byAttempt.set(run.attempt, Math.min(byAttempt.get(run.attempt) ?? run.at, run.at));
  }
  for (const [id, byAttempt] of starts) {
    for (const [attempt, at] of byAttempt) {
      const next = byAttempt.get(attempt + 1);
      if (next !== undefined && next - at >= 0 && next - at < 150) {
        nearSimultaneousAttempts += 1;
        problem(`${id}: attempt ${attempt + 1} started ${next - at} ms after attempt ${attempt}`);
      }
    }
  }
  let sameAttemptTwice = 0;
  for (const [slot, count] of attempts) {
    if (count > 1) {
      sameAttemptTwice += count - 1;
      problem(`attempt ${slot} started ${count} times`);
    }
  }

  const topErrors = Object.fromEntries(
    [...errors.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8),
  );
  const report: CheckReport = {
    jobs: acked.size,
    enqueueErrors,
    enqueueRetries,
    enqueueGaveUp,
    unackedButStored,
    completed,
    lost,
    deadLettered,
    duplicateJobs,
    executions: executions.length,
    duplicateExecutions,
    sameAttemptTwice,
    leaseExpiries: types.get("lease-expired") ?? 0,
    retriesScheduled: types.get("retry-scheduled") ?? 0,
    earlyLeaseExpiries: types.get("early-expiry") ?? 0,
    nearSimultaneousAttempts,
    checkFailures,
    problems,
    errors: topErrors,
  };
  return { report, completedAt };
}
