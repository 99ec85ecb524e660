import type { NewJobRecord } from "../backend.js";
import { newJobId } from "../internal/ids.js";

/**
 * A job as `backend.enqueue` takes it, due at `now`: type `t`, priority 0, 3 attempts, no key;
 * `overrides` change any field (the id too).
 */
export function newJobRecord(now: number, overrides: Partial<NewJobRecord> = {}): NewJobRecord {
  return {
    id: newJobId(now),
    type: "t",
    payload: "{}",
    priority: 0,
    runAt: now,
    maxAttempts: 3,
    backoff: null,
    idempotencyKey: null,
    concurrencyKey: null,
    ...overrides,
  };
}
