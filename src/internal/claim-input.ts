/** The arguments of a fresh claim: token, lease and the dead-letter settings for expired leases. */
import { ValidationError } from "../errors.js";
import { positive } from "../queue-options.js";
import { newToken } from "./ids.js";

/** The error recorded when a job's last attempt ends by lease expiry. */
const EXPIRED_ERROR = JSON.stringify({
  code: "LEASE_EXPIRED",
  message: "lease expired on the last attempt",
});

/** Validates a claim's size and lease and mints its token. */
export function claimInput(
  limit: number,
  leaseMsOption: number,
  now: number,
  failedRetentionMs: number,
) {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1_000) {
    throw new ValidationError("limit must be an integer from 1 to 1000", "limit");
  }
  const leaseMs = positive(leaseMsOption, "leaseMs");
  const input = {
    limit,
    token: newToken(),
    leaseUntil: now + leaseMs,
    expiredError: EXPIRED_ERROR,
    failedExpiresAt: now + failedRetentionMs,
  };
  return { input, now, leaseMs };
}
