/**
 * How long a store request over HTTP may wait for its answer (`upstashRest`, and the libSQL
 * client the backend creates for a remote URL). A request that times out fails like a lost
 * one: `BACKEND_UNAVAILABLE`, which workers and the HTTP client retry; the store's calls are
 * safe to send again.
 */
import { ValidationError } from "../errors.js";

const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/** `timeoutMs` as the caller gave it, or 10 s; a number above 0 (`Infinity`: no limit). */
export function requestTimeoutMs(timeoutMs: number | undefined): number {
  const ms = timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (typeof ms !== "number" || !(ms > 0)) {
    throw new ValidationError("timeoutMs must be a number of milliseconds above 0", "timeoutMs");
  }
  return ms;
}

/** The signal that ends a request after `timeoutMs`: none without a limit. */
export function timeoutSignal(timeoutMs: number): AbortSignal | null {
  return timeoutMs === Number.POSITIVE_INFINITY ? null : AbortSignal.timeout(timeoutMs);
}
