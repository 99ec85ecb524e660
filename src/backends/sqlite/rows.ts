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

/**
 * The columns a plain claim reads back (statements-plain.ts): the rest of a {@link JobRecord}
 * is the same for every job a claim starts ({@link ClaimedFields}), and each column read costs
 * a local client more than its share of the claim. `token` tells which member took the job.
 */
export const CLAIMED_COLUMNS =
  "pos, token, id, type, payload, priority, attempts, max_attempts, run_at, created_at, " +
  "progress, message, data, result, error, backoff, idempotency_key, seq";

/** The columns every job a claim starts shares: they are the claim's (a row's names). */
export interface ClaimedFields extends SqlRow {
  queue: string;
  state: "active";
  updated_at: number;
  lease_until: number;
  /** A plain claim takes unkeyed jobs only. */
  concurrency_key: null;
}

/** A jobs row as a {@link JobRecord}; `claimed` supplies the columns a claim did not read. */
export function toJobRecord(row: SqlRow, claimed?: ClaimedFields): JobRecord {
  const shared: SqlRow = claimed ?? row;
  return {
    id: str(row.id),
    queue: str(shared.queue),
    type: str(row.type),
    payload: str(row.payload),
    state: str(shared.state) as JobState,
    priority: num(row.priority),
    attempts: num(row.attempts),
    maxAttempts: num(row.max_attempts),
    runAt: num(row.run_at),
    createdAt: num(row.created_at),
    updatedAt: num(shared.updated_at),
    progress: num(row.progress),
    message: strOrNull(row.message),
    data: strOrNull(row.data),
    result: strOrNull(row.result),
    error: strOrNull(row.error),
    backoff: strOrNull(row.backoff),
    leaseUntil: numOrNull(shared.lease_until),
    idempotencyKey: strOrNull(row.idempotency_key),
    concurrencyKey: strOrNull(shared.concurrency_key ?? null),
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

/** Rows in lane order: priority desc, run time, insertion. */
export function byLaneOrder(a: SqlRow, b: SqlRow): number {
  return (
    num(b.priority) - num(a.priority) || num(a.run_at) - num(b.run_at) || num(a.pos) - num(b.pos)
  );
}

/**
 * A full claim's rows in the order the claim took them: `claim_order`, set by the claim. A
 * queue that never used a key claims without ranking (one order for all its rows): then its
 * one lane's order applies.
 */
export function byClaimOrder(a: SqlRow, b: SqlRow): number {
  return num(a.claim_order) - num(b.claim_order) || byLaneOrder(a, b);
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
  return { jobs: page.map((row) => toJobRecord(row)), cursor: more ? str(last.pos) : null };
}
