/** Converts result rows to the backend contract's records (any `intMode` the client uses). */
import {
  type EnqueueOutcome,
  type EventRecord,
  type JobRecord,
  type KeyLimits,
  type ListOutcome,
  type NewJobRecord,
  NO_LIMITS,
  type QueueLimits,
  type ScheduleRecord,
  type TypeRateLimit,
} from "../../backend.js";
import type { JobState } from "../../job.js";
import type { SqlResult, SqlRow } from "./client.js";

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null ? null : Number(value));
const str = (value: unknown): string => String(value);
const strOrNull = (value: unknown): string | null => (value === null ? null : String(value));

/** A jobs row as a {@link JobRecord}. */
export function toJobRecord(row: SqlRow): JobRecord {
  return {
    id: str(row.id),
    queue: str(row.queue),
    type: str(row.type),
    payload: str(row.payload),
    state: str(row.state) as JobState,
    priority: num(row.priority),
    attempts: num(row.attempts),
    maxAttempts: num(row.max_attempts),
    runAt: num(row.run_at),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
    progress: num(row.progress),
    message: strOrNull(row.message),
    data: strOrNull(row.data),
    result: strOrNull(row.result),
    error: strOrNull(row.error),
    backoff: strOrNull(row.backoff),
    leaseUntil: numOrNull(row.lease_until),
    idempotencyKey: strOrNull(row.idempotency_key),
    concurrencyKey: strOrNull(row.concurrency_key ?? null),
    seq: num(row.seq),
  };
}

/** An events row as an {@link EventRecord}. */
export function toEventRecord(row: SqlRow): EventRecord {
  return {
    seq: num(row.seq),
    type: str(row.type) as EventRecord["type"],
    at: num(row.at),
    state: str(row.state) as JobState,
    progress: num(row.progress),
    message: strOrNull(row.message),
    data: strOrNull(row.data),
    attempt: num(row.attempt),
    runAt: num(row.run_at),
    result: strOrNull(row.result),
    error: strOrNull(row.error),
  };
}

/**
 * A claim's rows in the order the claim took them: `claim_order`, set by the claim. A queue
 * that never used a key claims without ranking (one order for all its rows): then its one
 * lane's order applies, priority desc, run time, insertion.
 */
export function byClaimOrder(a: SqlRow, b: SqlRow): number {
  return (
    num(a.claim_order) - num(b.claim_order) ||
    num(b.priority) - num(a.priority) ||
    num(a.run_at) - num(b.run_at) ||
    num(a.pos) - num(b.pos)
  );
}

/** A schedules row (or its JSON object) as a {@link ScheduleRecord}. */
export function toScheduleRecord(row: SqlRow): ScheduleRecord {
  return {
    id: str(row.id),
    cron: str(row.cron),
    timezone: strOrNull(row.timezone),
    type: str(row.type),
    payload: str(row.payload),
    priority: num(row.priority),
    maxAttempts: num(row.max_attempts),
    backoff: strOrNull(row.backoff),
    concurrencyKey: strOrNull(row.concurrency_key),
    catchUp: str(row.catch_up) === "all" ? "all" : "latest",
    upcoming: (JSON.parse(str(row.upcoming)) as unknown[]).map(num),
    lastTickAt: numOrNull(row.last_tick_at),
    version: num(row.version),
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

/** A lane row's overrides (no row: none). */
export function toKeyLimits(row: SqlRow | undefined): KeyLimits {
  const rate = numOrNull(row?.rate_limit ?? null);
  const windowMs = numOrNull(row?.rate_window_ms ?? null);
  return {
    concurrency: numOrNull(row?.concurrency ?? null),
    rateLimit: rate === null || windowMs === null ? null : { limit: rate, windowMs },
  };
}

/** A settings row as the queue's limits (no row: {@link NO_LIMITS}). */
export function toQueueLimits(row: SqlRow | undefined): QueueLimits {
  if (!row) return NO_LIMITS;
  const rate = numOrNull(row.key_rate ?? null);
  const windowMs = numOrNull(row.key_rate_ms ?? null);
  const types = JSON.parse(str(row.type_limits)) as TypeRateLimit[];
  return {
    keyConcurrency: numOrNull(row.key_concurrency ?? null),
    keyRateLimit: rate === null || windowMs === null ? null : { limit: rate, windowMs },
    typeRateLimits: types.map(({ type, limit, windowMs }) => ({ type, limit, windowMs })),
  };
}

/**
 * Enqueue's answer from its inserts' results (a row: inserted) and the rows naming each
 * idempotency key's holder.
 */
export function toEnqueueOutcomes(
  jobs: readonly NewJobRecord[],
  inserts: readonly SqlResult[],
  holderRows: ArrayLike<SqlRow>,
): EnqueueOutcome[] {
  const holders = new Map<string, string>();
  for (const row of Array.from(holderRows)) holders.set(str(row.idempotency_key), str(row.id));
  return jobs.map((job, i) => {
    const holder = holders.get(job.idempotencyKey ?? "");
    // A re-sent call finds its own job holding the key: it was created, by this call.
    const created = (inserts[i]?.rows.length ?? 0) > 0 || holder === job.id;
    // Not created: the key's holder answers (an id taken by other content fails the batch).
    return { id: created ? job.id : (holder ?? job.id), created };
  });
}

/** A page of `limit` jobs from rows holding one extra when more follow. */
export function toListOutcome(rows: ArrayLike<SqlRow>, limit: number): ListOutcome {
  const all = Array.from(rows);
  const page = all.slice(0, limit);
  const last = page.at(-1);
  const more = all.length > limit && last;
  return { jobs: page.map(toJobRecord), cursor: more ? str(last.pos) : null };
}
