/**
 * Limits on concurrency keys and job types, as applications set and read them
 * (`queue.setLimits` / `limits`, `queue.setConcurrency` / `setRateLimit` / `keyLimits`). The
 * store keeps them, so every process claims under the same limits.
 */

/**
 * At most `limit` starts per fixed window of `windowMs` (windows start at multiples of it).
 *
 * @example
 * await queue.setRateLimit("tenant-42", { limit: 10, windowMs: 60_000 }); // 10 a minute
 */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** A concurrency key's own limits, as `queue.keyLimits(key)` answers: `null` where the queue's `keys` settings apply. */
export interface KeyLimits {
  /** Most active jobs of the key at once. */
  concurrency: number | null;
  /** Starts of the key's jobs per window. */
  rateLimit: RateLimit | null;
}

/**
 * A queue's limits: `keys` for each concurrency key without limits of its own, `rateLimits` per
 * job type. What `queue.setLimits` takes and `queue.limits` answers (`{}`: none).
 *
 * @example
 * await queue.setLimits({
 *   keys: { concurrency: 2 },
 *   rateLimits: { email: { limit: 100, windowMs: 60_000 } },
 * });
 */
export interface QueueLimitOptions {
  /** Limits for every concurrency key without limits of its own. */
  keys?: { concurrency?: number | undefined; rateLimit?: RateLimit | undefined } | undefined;
  /** At most `limit` starts per `windowMs` for each job type named. */
  rateLimits?: Record<string, RateLimit> | undefined;
}
