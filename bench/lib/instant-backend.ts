/**
 * A fake store holding `total` queued noop jobs, answering every call at once: the required
 * core of the Backend contract, enough for a worker to drain it (claim, complete, fail,
 * release, heartbeats). It keeps no state beyond how many jobs it has handed out, so what a benchmark
 * over it measures is the core's own per-job cost. Not a store: nothing is fenced or logged.
 */
import type { Backend, ClaimInput, JobRecord } from "../../src/backend.js";

export function instantBackend(total: number): Backend {
  let handedOut = 0;
  const claim = (input: ClaimInput, queue: string, now: number) => {
    const records: JobRecord[] = [];
    while (records.length < input.limit && handedOut < total) {
      handedOut += 1;
      records.push({
        id: `job-${handedOut}`,
        queue,
        type: "noop",
        payload: "null",
        state: "active",
        priority: 0,
        attempts: 1,
        maxAttempts: 3,
        runAt: now,
        createdAt: now,
        updatedAt: now,
        progress: 0,
        message: null,
        data: null,
        result: null,
        error: null,
        backoff: null,
        leaseUntil: input.leaseUntil,
        idempotencyKey: null,
        concurrencyKey: null,
        seq: 2,
      });
    }
    return records;
  };
  const unsupported = () => Promise.reject(new Error("not in the instant backend"));
  return {
    name: "instant",
    capabilities: { maxPayloadBytes: 1_000_000, features: [] },
    enqueue: unsupported,
    claim: async (input) => ({
      jobs: claim(input, input.queue, input.now),
      wakeAt: null,
      refill: [],
    }),
    update: async () => true,
    complete: async () => true,
    fail: async () => true,
    release: async () => true,
    cancel: unsupported,
    retry: unsupported,
    get: async () => null,
    readEvents: async () => [],
    list: async () => ({ jobs: [], cursor: null }),
    stats: unsupported,
    purge: async () => 0,
  };
}
