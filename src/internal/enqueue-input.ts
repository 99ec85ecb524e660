/**
 * Turns a caller's `enqueue` arguments into a {@link NewJobRecord}, or throws a
 * {@link ValidationError} naming the bad field. Nothing reaches the store before this passes.
 */
import type { NewJobRecord } from "../backend.js";
import { QueueError, ValidationError } from "../errors.js";
import type { EnqueueOptions } from "../job.js";
import { integerIn } from "../queue-options.js";
import { type BackoffPolicy, resolveBackoff } from "./backoff.js";
import { newJobId } from "./ids.js";
import type { JobSchemas } from "./job-schemas.js";
import { encodeJson } from "./json.js";

/** Bounds that keep every backend's ordering keys exact. */
export const LIMITS = {
  typeLength: 200,
  idempotencyKeyLength: 512,
  concurrencyKeyLength: 200,
  priority: 1_000_000,
  maxAttempts: 1_000,
  /** Ten years: further than any sane delay, small enough for exact score arithmetic. */
  delayMs: 10 * 365 * 24 * 3_600_000,
} as const;

/** Checks a concurrency key: a string of 1 to {@link LIMITS.concurrencyKeyLength} characters. */
export function assertConcurrencyKey(key: unknown, field: string): string {
  if (typeof key !== "string" || key.length === 0 || key.length > LIMITS.concurrencyKeyLength) {
    throw new ValidationError(
      `${field} must be a string of 1 to ${LIMITS.concurrencyKeyLength} characters`,
      field,
    );
  }
  return key;
}

/** Queue-level defaults applied to every enqueue. */
export interface EnqueueDefaults {
  priority: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  maxPayloadBytes: number;
}

function resolveRunAt(options: EnqueueOptions, now: number): number {
  if (options.delayMs !== undefined && options.runAt !== undefined) {
    throw new ValidationError("give delayMs or runAt, not both", "runAt");
  }
  if (options.delayMs !== undefined) {
    const { delayMs } = options;
    if (typeof delayMs !== "number" || !(delayMs >= 0 && delayMs <= LIMITS.delayMs)) {
      throw new ValidationError(`delayMs must be a number from 0 to ${LIMITS.delayMs}`, "delayMs");
    }
    return Math.round(now + delayMs);
  }
  if (options.runAt !== undefined) {
    const at = options.runAt instanceof Date ? options.runAt.getTime() : options.runAt;
    if (typeof at !== "number" || !Number.isFinite(at) || at > now + LIMITS.delayMs) {
      throw new ValidationError("runAt must be a valid time within ten years", "runAt");
    }
    return Math.round(Math.max(at, 0));
  }
  return now;
}

/** Validates and encodes one job to insert. */
export function toNewJob(
  type: unknown,
  payload: unknown,
  options: EnqueueOptions | undefined,
  defaults: EnqueueDefaults,
  now: number,
): NewJobRecord {
  if (typeof type !== "string" || type.length === 0 || type.length > LIMITS.typeLength) {
    throw new ValidationError(
      `type must be a string of 1 to ${LIMITS.typeLength} characters`,
      "type",
    );
  }
  const opts = options ?? {};
  if (typeof opts !== "object") throw new ValidationError("options must be an object", "options");
  const key = opts.idempotencyKey;
  if (
    key !== undefined &&
    (typeof key !== "string" || key.length === 0 || key.length > LIMITS.idempotencyKeyLength)
  ) {
    throw new ValidationError(
      `idempotencyKey must be a string of 1 to ${LIMITS.idempotencyKeyLength} characters`,
      "idempotencyKey",
    );
  }
  const { concurrencyKey } = opts;
  if (concurrencyKey !== undefined && concurrencyKey !== null) {
    assertConcurrencyKey(concurrencyKey, "concurrencyKey");
  }
  const priority = integerIn(
    opts.priority ?? defaults.priority,
    "priority",
    -LIMITS.priority,
    LIMITS.priority,
  );
  const maxAttempts = integerIn(
    opts.maxAttempts ?? defaults.maxAttempts,
    "maxAttempts",
    1,
    LIMITS.maxAttempts,
  );
  return {
    id: newJobId(now),
    type,
    payload: encodeJson(payload, "payload", defaults.maxPayloadBytes),
    priority,
    runAt: resolveRunAt(opts, now),
    maxAttempts,
    backoff: opts.backoff ? JSON.stringify(resolveBackoff(opts.backoff, defaults.backoff)) : null,
    idempotencyKey: key ?? null,
    concurrencyKey: concurrencyKey ?? null,
  };
}

/**
 * Validates and encodes a batch: each item's type and payload against the queue's schemas
 * (typed types only: untyped ones cost no await), then its options. An error about one item
 * carries its index (`item`). The payload is stored as given; workers parse it again, so a
 * transforming schema's output never has to parse as its input.
 */
export async function toNewJobs(
  items: ReadonlyArray<{ type?: unknown; payload?: unknown; options?: EnqueueOptions }>,
  schemas: JobSchemas,
  defaults: EnqueueDefaults,
  now: number,
): Promise<NewJobRecord[]> {
  const jobs: NewJobRecord[] = [];
  for (const [i, item] of items.entries()) {
    try {
      const type = String(item?.type);
      schemas.assertKnown(type);
      if (schemas.parses(type)) await schemas.parseStored(type, item?.payload);
      jobs.push(toNewJob(item?.type, item?.payload, item?.options, defaults, now));
    } catch (error) {
      if (error instanceof QueueError) error.item = i;
      throw error;
    }
  }
  return jobs;
}
