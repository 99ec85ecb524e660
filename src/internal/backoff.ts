import { ValidationError } from "../errors.js";
import type { BackoffOptions } from "../job.js";

/** A fully specified backoff policy. */
export type BackoffPolicy = Required<BackoffOptions>;

/** The queue-wide default: 1 s, doubling, at most 1 h, 20 % jitter. */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  type: "exponential",
  delayMs: 1_000,
  maxDelayMs: 3_600_000,
  jitter: 0.2,
};

/** Longest backoff delay: anything longer parks a job for good (30 days). */
export const MAX_BACKOFF_MS = 30 * 86_400_000;

/** Fills in defaults and rejects nonsense (negative or huge delays, jitter outside 0..1). */
export function resolveBackoff(
  options: BackoffOptions | undefined,
  base: BackoffPolicy = DEFAULT_BACKOFF,
): BackoffPolicy {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new ValidationError("backoff must be an object", "backoff");
  }
  // Only the known fields are read: anything else in `options` is neither stored nor walked.
  const policy: BackoffPolicy = {
    type: options?.type ?? base.type,
    delayMs: options?.delayMs ?? base.delayMs,
    maxDelayMs: options?.maxDelayMs ?? base.maxDelayMs,
    jitter: options?.jitter ?? base.jitter,
  };
  if (policy.type !== "exponential" && policy.type !== "fixed") {
    throw new ValidationError("backoff.type must be 'exponential' or 'fixed'", "backoff.type");
  }
  for (const key of ["delayMs", "maxDelayMs"] as const) {
    const value = policy[key];
    if (typeof value !== "number" || !(value >= 0 && value <= MAX_BACKOFF_MS)) {
      throw new ValidationError(
        `backoff.${key} must be a number from 0 to ${MAX_BACKOFF_MS} (30 days)`,
        `backoff.${key}`,
      );
    }
  }
  if (typeof policy.jitter !== "number" || !(policy.jitter >= 0 && policy.jitter <= 1)) {
    throw new ValidationError("backoff.jitter must be between 0 and 1", "backoff.jitter");
  }
  return policy;
}

/**
 * Delay before the next attempt after `attempt` attempts have failed (attempt >= 1).
 * Exponential: `delayMs * 2^(attempt-1)`, capped at `maxDelayMs`; then the `jitter` fraction
 * of it is replaced by a uniform random share, so retries of many jobs spread out.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const growth = policy.type === "exponential" ? 2 ** Math.max(0, attempt - 1) : 1;
  const capped = Math.min(policy.maxDelayMs, policy.delayMs * growth);
  const jitterSpan = capped * policy.jitter;
  return Math.round(capped - jitterSpan + jitterSpan * random());
}
