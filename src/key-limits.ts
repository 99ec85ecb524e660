/**
 * Limits on concurrency keys and job types, as applications set and read them
 * (`JobQueueOptions.keys` and `rateLimits`, `queue.setRateLimit`, `queue.keyLimits`). The
 * storage contract stores them as they are.
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
