/**
 * The oracle's limits (feature `limits`, claim rules 1, 2 and 6): fixed rate windows, a key's
 * limits (its overrides win over the queue's settings) and a lane's cap.
 */
import {
  type KeyLimits,
  NO_LIMITS,
  type QueueLimits,
  type RateLimit,
  type SetKeyLimitsInput,
  type SetQueueLimitsInput,
} from "../backend.js";
import type { Lane, MemoryQueue, Window } from "./memory-store.js";

/** The end of the fixed window of `windowMs` that holds `now` (windows start at multiples). */
export function windowEnd(now: number, windowMs: number): number {
  return Math.floor(now / windowMs) * windowMs + windowMs;
}

/** Starts left in the current window (`Infinity` without a rate limit). */
export function startsLeft(
  window: Window | undefined,
  rate: RateLimit | null,
  now: number,
): number {
  if (rate === null) return Number.POSITIVE_INFINITY;
  const current = window !== undefined && window.end === windowEnd(now, rate.windowMs);
  return rate.limit - (current ? window.starts : 0);
}

/** Counts one start in the current window (an older window's count is forgotten). */
export function countStart(
  windows: Map<string, Window>,
  name: string,
  rate: RateLimit,
  now: number,
): void {
  const end = windowEnd(now, rate.windowMs);
  const window = windows.get(name);
  if (window?.end === end) window.starts += 1;
  else windows.set(name, { end, starts: 1 });
}

/** A key's effective limits: its stored overrides, else the queue's settings. */
export function keyRules(
  q: MemoryQueue,
  key: string,
): { concurrency: number | null; rateLimit: RateLimit | null } {
  const settings = q.limits ?? NO_LIMITS;
  const overrides = q.keyLimits.get(key);
  return {
    concurrency: overrides?.concurrency ?? settings.keyConcurrency,
    rateLimit: overrides?.rateLimit ?? settings.keyRateLimit,
  };
}

/** A type's rate limit from the queue's settings, or null. */
export function typeRate(q: MemoryQueue, type: string): RateLimit | null {
  return (q.limits ?? NO_LIMITS).typeRateLimits.find((limit) => limit.type === type) ?? null;
}

/** Starts left for a type in its current window (`Infinity` when not rate-limited). */
export function typeStartsLeft(q: MemoryQueue, type: string, now: number): number {
  return startsLeft(q.typeWindows.get(type), typeRate(q, type), now);
}

/** A key's room: its concurrency limit minus its `active` jobs (`Infinity` without a limit). */
export function keyRoom(q: MemoryQueue, key: string): number {
  const { concurrency } = keyRules(q, key);
  if (concurrency === null) return Number.POSITIVE_INFINITY;
  let active = 0;
  for (const job of q.jobs.values()) {
    if (job.record.state === "active" && job.record.concurrencyKey === key) active += 1;
  }
  return concurrency - active;
}

/** Starts left in a key's current window (`Infinity` without a rate limit). */
export function keyStartsLeft(q: MemoryQueue, key: string, now: number): number {
  return startsLeft(q.keyWindows.get(key), keyRules(q, key).rateLimit, now);
}

/** Claim rule 2: a lane's cap (`limit` for the unkeyed lane); the lane is open above 0. */
export function laneCap(q: MemoryQueue, lane: Lane, limit: number, now: number): number {
  if (lane === null) return limit;
  return Math.min(keyRoom(q, lane), keyStartsLeft(q, lane, now));
}

/** Claim rule 6: counts a start against its key's and its type's current windows. */
export function countJobStart(q: MemoryQueue, lane: Lane, type: string, now: number): void {
  const rate = typeRate(q, type);
  if (rate !== null) countStart(q.typeWindows, type, rate, now);
  if (lane === null) return;
  const keyRate = keyRules(q, lane).rateLimit;
  if (keyRate !== null) countStart(q.keyWindows, lane, keyRate, now);
}

/** Stores the queue's settings record (with `onlyIfAbsent`, only where none is stored). */
export function setQueueLimits(q: MemoryQueue, input: SetQueueLimitsInput): QueueLimits {
  if (!(input.onlyIfAbsent && q.limits)) {
    const typeRateLimits = [...input.limits.typeRateLimits].sort((a, b) =>
      a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
    );
    q.limits = copyLimits({ ...input.limits, typeRateLimits });
  }
  return queueLimitsOf(q);
}

/** The stored settings record, or {@link NO_LIMITS}. */
export function queueLimitsOf(q: MemoryQueue): QueueLimits {
  return copyLimits(q.limits ?? NO_LIMITS);
}

/** Stores a key's overrides: `undefined` leaves a setting as it is, `null` removes it. */
export function setKeyLimits(q: MemoryQueue, input: SetKeyLimitsInput): void {
  const stored = keyLimitsOf(q, input.key);
  q.keyLimits.set(input.key, {
    concurrency: input.concurrency === undefined ? stored.concurrency : input.concurrency,
    rateLimit: input.rateLimit === undefined ? stored.rateLimit : copyRate(input.rateLimit),
  });
}

/** A key's stored overrides (none: both null). */
export function keyLimitsOf(q: MemoryQueue, key: string): KeyLimits {
  const stored = q.keyLimits.get(key);
  return {
    concurrency: stored?.concurrency ?? null,
    rateLimit: copyRate(stored?.rateLimit ?? null),
  };
}

function copyRate<R extends RateLimit>(rate: R | null): R | null {
  return rate === null ? null : { ...rate };
}

function copyLimits(limits: QueueLimits): QueueLimits {
  return {
    keyConcurrency: limits.keyConcurrency,
    keyRateLimit: copyRate(limits.keyRateLimit),
    typeRateLimits: limits.typeRateLimits.map((limit) => ({ ...limit })),
  };
}
