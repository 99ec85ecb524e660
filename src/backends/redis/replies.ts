/** Decodes script replies into the backend contract's records. */
import {
  type EventRecord,
  type JobRecord,
  type KeyLimits,
  NO_LIMITS,
  type QueueLimits,
  type RateLimit,
  type ScheduleRecord,
} from "../../backend.js";
import type { JobState } from "../../job.js";

/** Script replies are `~` + JSON (see the Lua prelude); anything else is returned as is. */
export function decodeReply<T>(reply: unknown): T {
  if (typeof reply === "string" && reply.startsWith("~")) return JSON.parse(reply.slice(1)) as T;
  return reply as T;
}

/** A job hash as its fields: HGETALL's flat [field, value, …] list turned into an object. */
export type JobFields = Record<string, string | undefined>;

export function fieldsOf(flat: string[]): JobFields {
  const fields: JobFields = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1];
  return fields;
}

const num = (value: string | undefined): number => Number(value ?? 0);
const numOrNull = (value: string | undefined): number | null =>
  value === undefined ? null : Number(value);
const strOrNull = (value: string | undefined): string | null => value ?? null;

export function toJobRecord(f: JobFields, queue: string): JobRecord {
  return {
    id: f.id ?? "",
    queue,
    type: f.type ?? "",
    payload: f.payload ?? "null",
    state: f.state as JobState,
    priority: num(f.priority),
    attempts: num(f.attempts),
    maxAttempts: num(f.maxAttempts),
    runAt: num(f.runAt),
    createdAt: num(f.createdAt),
    updatedAt: num(f.updatedAt),
    progress: num(f.progress),
    message: strOrNull(f.message),
    data: strOrNull(f.data),
    result: strOrNull(f.result),
    error: strOrNull(f.error),
    backoff: strOrNull(f.backoff),
    leaseUntil: numOrNull(f.leaseUntil),
    idempotencyKey: strOrNull(f.idempotencyKey),
    concurrencyKey: strOrNull(f.concurrencyKey),
    seq: num(f.seq),
  };
}

export function toEventRecord(json: string): EventRecord {
  const e = JSON.parse(json) as JobFields;
  return {
    seq: num(e.seq),
    type: e.type as EventRecord["type"],
    at: num(e.updatedAt),
    state: e.state as JobState,
    progress: num(e.progress),
    message: strOrNull(e.message),
    data: strOrNull(e.data),
    attempt: num(e.attempts),
    runAt: num(e.runAt),
    result: strOrNull(e.result),
    error: strOrNull(e.error),
  };
}

/** A schedule hash (see `sched:<id>` in the Lua prelude) as its record. */
export function toScheduleRecord(f: JobFields): ScheduleRecord {
  return {
    id: f.id ?? "",
    cron: f.cron ?? "",
    timezone: strOrNull(f.timezone),
    type: f.type ?? "",
    payload: f.payload ?? "null",
    priority: num(f.priority),
    maxAttempts: num(f.maxAttempts),
    backoff: strOrNull(f.backoff),
    concurrencyKey: strOrNull(f.concurrencyKey),
    catchUp: f.catchUp === "all" ? "all" : "latest",
    upcoming: JSON.parse(f.upcoming ?? "[]") as number[],
    lastTickAt: numOrNull(f.lastTickAt),
    version: num(f.version),
    createdAt: num(f.createdAt),
    updatedAt: num(f.updatedAt),
  };
}

/** GET_KEY_LIMITS' reply (stored concurrency, stored "limit:windowMs"; false when unset). */
export function toKeyLimits([concurrency, rate]: [string | false, string | false]): KeyLimits {
  const [limit, windowMs] = rate ? rate.split(":").map(Number) : [];
  return {
    concurrency: concurrency ? Number(concurrency) : null,
    rateLimit: limit !== undefined && windowMs !== undefined ? { limit, windowMs } : null,
  };
}

/**
 * The canonical JSON of a queue's settings, as SET_QUEUE_LIMITS stores it and claims read it:
 * fields in a fixed order, type limits sorted by type (code unit order), so equal settings
 * are equal strings.
 */
export function encodeQueueLimits(limits: QueueLimits): string {
  const rate = (r: RateLimit | null) => (r ? { limit: r.limit, windowMs: r.windowMs } : null);
  const types = [...limits.typeRateLimits].sort((a, b) =>
    a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
  );
  return JSON.stringify({
    keyConcurrency: limits.keyConcurrency,
    keyRateLimit: rate(limits.keyRateLimit),
    typeRateLimits: types.map((t) => ({ type: t.type, ...rate(t) })),
  });
}

/** A queue's stored settings ({@link NO_LIMITS} when none are stored). */
export function toQueueLimits(stored: QueueLimits | false): QueueLimits {
  return stored || NO_LIMITS;
}
