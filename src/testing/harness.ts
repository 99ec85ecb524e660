/** Per-test setup for the conformance suite: a fresh queue name and a manual clock. */
import type { Backend, ClaimInput, FullBackend } from "../backend.js";
import { cron } from "../cron.js";
import { ManualClock } from "../internal/clock.js";
import { newToken } from "../internal/ids.js";
import { JobQueue } from "../queue.js";
import type { JobQueueOptions } from "../queue-options.js";

/** What each conformance test gets. */
export interface Harness {
  /**
   * The backend under test, typed with every group: a section for an optional group runs only
   * when the backend declares it.
   */
  backend: FullBackend;
  clock: ManualClock;
  /** A queue with a unique name on the shared backend and clock. */
  queue: JobQueue;
  /** Another queue object on the same backend and clock (same name unless given). */
  open(options?: Partial<JobQueueOptions>): JobQueue;
}

/** Creates the harness for one test; `dispose` purges what the test stored. */
export function createHarness(backend: Backend): Harness & { dispose(): Promise<void> } {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const name = `t-${newToken().slice(0, 12)}`;
  const opened: JobQueue[] = [];
  const open = (options: Partial<JobQueueOptions> = {}) => {
    const queue = new JobQueue({
      backend,
      clock,
      cron,
      name,
      progressIntervalMs: 0,
      defaults: { backoff: { jitter: 0 } },
      ...options,
    });
    opened.push(queue);
    return queue;
  };
  const queue = open();
  return {
    backend: backend as FullBackend,
    clock,
    queue,
    open,
    async dispose() {
      for (const q of new Set(opened.map((o) => o.name))) {
        await backend.purge({ queue: q, now: clock.now() });
      }
    },
  };
}

/** A backend-level claim of `limit` jobs on `queue` now, with a fresh token and a 30 s lease. */
export function claimInputOf(h: Harness, limit: number, leaseMs = 30_000): ClaimInput {
  const now = h.clock.now();
  return {
    queue: h.queue.name,
    now,
    limit,
    token: newToken(),
    leaseUntil: now + leaseMs,
    expiredError: JSON.stringify({ code: "LEASE_EXPIRED", message: "expired" }),
    failedExpiresAt: now + 60_000,
  };
}
