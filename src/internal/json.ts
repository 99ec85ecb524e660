/**
 * The core owns JSON: backends store strings, and these helpers turn them into the public
 * types (and back), enforcing size limits on the way in.
 */
import type { EventRecord, JobRecord } from "../backend.js";
import { ValidationError } from "../errors.js";
import type { Job, JobError, JobUpdate } from "../job.js";

const encoder = new TextEncoder();

/** UTF-8 size of a string, without encoding it when it is clearly small enough. */
function utf8Bytes(text: string): number {
  return encoder.encode(text).length;
}

/**
 * Deepest nesting of arrays and objects accepted in any JSON value the queue stores (payload,
 * result, progress data, backoff). Deeper values are refused: encoding and decoding them
 * recurses, and a few thousand levels overflow the stack on every runtime.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Nesting depth of JSON text, counted without parsing (brackets inside strings are skipped).
 * Stops counting once past `limit`.
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  // Each level takes at least two characters, so short text cannot be too deep.
  if (text.length <= 2 * limit) return 0;
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 93 /* ] */ || c === 125 /* } */) {
      depth--;
    }
  }
  return deepest;
}

/**
 * JSON-encodes `value` (undefined becomes null); rejects cycles, BigInt, nesting deeper than
 * {@link MAX_JSON_DEPTH} and oversize values. Messages never repeat the value.
 */
export function encodeJson(value: unknown, field: string, maxBytes: number): string {
  const refuse = () =>
    new ValidationError(
      `${field} must be JSON-serialisable, without cycles or BigInt, nested at most ${MAX_JSON_DEPTH} levels`,
      field,
    );
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null);
  } catch {
    throw refuse();
  }
  if (text === undefined) text = "null";
  if (text.length > maxBytes / 3 && utf8Bytes(text) > maxBytes) {
    throw new ValidationError(`${field} is larger than ${maxBytes} bytes`, field);
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw refuse();
  return text;
}

/** Parses a stored JSON string; `null` stays `null`. */
export function decodeJson<T = unknown>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/**
 * Longest error message kept, in characters (a longer one is cut, ending in `…`): an error is
 * stored on the job's row and its event, and some stores cap a row (2 MB on Durable Objects and
 * D1).
 */
export const MAX_ERROR_MESSAGE = 4_000;
/** Longest error code or class name kept, in characters. */
const MAX_ERROR_NAME = 100;

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** The stored form of an error: code, message and class name, never a stack. */
export function describeError(error: unknown): JobError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      code: typeof code === "string" && code ? cut(code, MAX_ERROR_NAME) : "HANDLER_ERROR",
      message: cut(String(error.message), MAX_ERROR_MESSAGE),
      name: cut(String(error.name), MAX_ERROR_NAME),
    };
  }
  const message = typeof error === "string" ? error : String(error);
  return { code: "HANDLER_ERROR", message: cut(message, MAX_ERROR_MESSAGE) };
}

/** A stored job as callers see it. */
export function toJob<P = unknown, R = unknown>(record: JobRecord): Job<P, R> {
  return {
    id: record.id,
    queue: record.queue,
    type: record.type,
    payload: JSON.parse(record.payload) as P,
    state: record.state,
    priority: record.priority,
    attempts: record.attempts,
    maxAttempts: record.maxAttempts,
    runAt: record.runAt,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    progress: record.progress,
    message: record.message,
    data: decodeJson(record.data),
    result: decodeJson<R>(record.result),
    error: decodeJson<JobError>(record.error),
    leaseUntil: record.state === "active" ? record.leaseUntil : null,
    idempotencyKey: record.idempotencyKey,
    concurrencyKey: record.concurrencyKey,
    seq: record.seq,
  };
}

/** A stored event as subscribers see it. */
export function toUpdate(jobId: string, event: EventRecord): JobUpdate {
  return {
    jobId,
    seq: event.seq,
    type: event.type,
    at: event.at,
    state: event.state,
    progress: event.progress,
    message: event.message,
    data: decodeJson(event.data),
    attempt: event.attempt,
    runAt: event.runAt,
    result: decodeJson(event.result),
    error: decodeJson<JobError>(event.error),
  };
}

/** The synthetic first frame of a subscription: the job as it is now. */
export function snapshotOf(job: Job): JobUpdate {
  return {
    jobId: job.id,
    seq: job.seq,
    type: "snapshot",
    at: job.updatedAt,
    state: job.state,
    progress: job.progress,
    message: job.message,
    data: job.data,
    attempt: job.attempts,
    runAt: job.runAt,
    result: job.result,
    error: job.error,
  };
}
