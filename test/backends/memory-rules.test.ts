/**
 * The oracle's claim rules where the conformance suite does not pin them down: rounds across
 * three priorities, take-then-drop for type budgets, wake-up times, grouped completions in
 * member order, and the groups a backend leaves out.
 */
import { describe, expect, it } from "vitest";
import type { Backend, ClaimInput, NewJobRecord } from "../../src/backend.js";
import { memoryBackend } from "../../src/testing/index.js";

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0, 500);
const scope = { queue: "q", now: NOW };
let serial = 0;

function job(priority: number, key: string | null, type = "t"): NewJobRecord {
  serial += 1;
  return {
    id: `j${serial}`,
    type,
    payload: "null",
    priority,
    runAt: NOW,
    maxAttempts: 3,
    backoff: null,
    idempotencyKey: null,
    concurrencyKey: key,
  };
}

function claimInput(limit: number, token = `t${++serial}`): ClaimInput {
  return {
    ...scope,
    limit,
    token,
    leaseUntil: NOW + 30_000,
    expiredError: "{}",
    failedExpiresAt: NOW + 60_000,
  };
}

async function enqueue(backend: Backend, jobs: NewJobRecord[]): Promise<string[]> {
  await backend.enqueue({ ...scope, jobs });
  return jobs.map((j) => j.id);
}

const ids = (jobs: Array<{ id: string }>) => jobs.map((j) => j.id);

describe("memoryBackend claim rules", () => {
  it("ranks by priority, then round, then turn, across three priorities (rule 4)", async () => {
    const backend = memoryBackend();
    const [a2, a1, a0] = await enqueue(backend, [job(2, "A"), job(1, "A"), job(0, "A")]);
    const [b1, b0] = await enqueue(backend, [job(1, "B"), job(0, "B")]);
    const [u0] = await enqueue(backend, [job(0, null)]);
    // Priority 1: A and B are in round 1; A's first candidate came first. Priority 0: round 1
    // for every lane, never-served lanes by their first candidate: A, B, then the unkeyed one.
    const { jobs } = await backend.claim(claimInput(10));
    expect(ids(jobs)).toEqual([a2, a1, b1, a0, b0, u0]);
  });

  it("gives the least recently served lane the first turn (rule 6)", async () => {
    const backend = memoryBackend();
    const [a1, a2] = await enqueue(backend, [job(0, "A"), job(0, "A")]);
    const [b1, b2] = await enqueue(backend, [job(0, "B"), job(0, "B")]);
    expect(ids((await backend.claim(claimInput(1))).jobs)).toEqual([a1]);
    expect(ids((await backend.claim(claimInput(3))).jobs)).toEqual([b1, a2, b2]);
  });

  it("takes `limit` candidates, then drops those over their type's budget (rule 5)", async () => {
    const backend = memoryBackend();
    await backend.setQueueLimits?.({
      ...scope,
      limits: {
        keyConcurrency: null,
        keyRateLimit: null,
        typeRateLimits: [{ type: "mail", limit: 1, windowMs: 1_000 }],
      },
    });
    const [m1, m2] = await enqueue(backend, [job(1, "A", "mail"), job(1, "B", "mail")]);
    await enqueue(backend, [job(0, "C", "other")]);
    // The first two candidates are both mail: the second is dropped, and nothing takes its
    // place; the type's window end is when to try again.
    const outcome = await backend.claim(claimInput(2));
    expect(ids(outcome.jobs)).toEqual([m1]);
    expect(outcome.wakeAt).toBe(Date.UTC(2026, 0, 1, 0, 0, 1));
    expect(ids((await backend.claim(claimInput(2))).jobs)).toHaveLength(1); // the other type
    expect(m2).toBeDefined();
  });

  it("wakes at a key window's end for a lane with room and a runnable job", async () => {
    const backend = memoryBackend();
    await backend.setKeyLimits?.({ ...scope, key: "A", rateLimit: { limit: 1, windowMs: 5_000 } });
    await enqueue(backend, [job(0, "A"), job(0, "A")]);
    expect((await backend.claim(claimInput(1))).wakeAt).toBeNull(); // took its limit
    const held = await backend.claim(claimInput(1));
    expect(held).toMatchObject({ jobs: [], wakeAt: Date.UTC(2026, 0, 1, 0, 0, 5) });
  });

  it("completes and claims member by member in a group", async () => {
    const backend = memoryBackend();
    await backend.setQueueLimits?.({
      ...scope,
      limits: { keyConcurrency: 1, keyRateLimit: null, typeRateLimits: [] },
    });
    const [a1, a2] = await enqueue(backend, [job(0, "A"), job(0, "A")]);
    const first = claimInput(1);
    await backend.claim(first);
    const [u1] = await enqueue(backend, [job(0, null)]);
    const second = claimInput(1);
    await backend.claim(second);
    const member = (id: string | undefined, token: string) => {
      const { queue: _queue, now: _now, ...next } = claimInput(1);
      return { id: id as string, token, result: "null", expiresAt: NOW + 60_000, next };
    };
    // The unkeyed member goes first: A is still full when its claim runs, so it claims
    // nothing; then A's job completes and the second member's claim takes A's next job.
    const outcomes = await backend.completeAndClaimMany?.({
      ...scope,
      items: [member(u1, second.token), member(a1, first.token)],
    });
    expect(outcomes?.map((o) => [o.completed, ids(o.claimed)])).toEqual([
      [true, []],
      [true, [a2]],
    ]);
  });

  it("answers a re-sent claim with the same jobs and refills", async () => {
    const backend = memoryBackend();
    await backend.putSchedule?.({
      ...scope,
      schedule: {
        id: "s",
        cron: "* * * * *",
        timezone: null,
        type: "t",
        payload: "null",
        priority: 0,
        maxAttempts: 1,
        backoff: null,
        concurrencyKey: null,
        catchUp: "latest",
      },
      upcoming: [NOW - 100, NOW + 60_000],
    });
    const input = claimInput(5);
    const first = await backend.claim(input);
    expect(first.refill.map((s) => s.id)).toEqual(["s"]);
    expect(await backend.claim(input)).toEqual(first);
  });
});

describe("memoryBackend without optional groups", () => {
  it("keeps one lane, no windows, no schedules", async () => {
    const backend = memoryBackend({ features: [] });
    expect(backend.capabilities.features).toEqual([]);
    expect(backend.putSchedule).toBeUndefined();
    expect(backend.setQueueLimits).toBeUndefined();
    expect(backend.completeAndClaim).toBeUndefined();
    const [a1, a2] = await enqueue(backend, [job(0, "A"), job(0, "A")]);
    const [u1] = await enqueue(backend, [job(0, null)]);
    const outcome = await backend.claim(claimInput(5));
    expect(outcome).toMatchObject({ wakeAt: null, refill: [] });
    expect(ids(outcome.jobs)).toEqual([a1, a2, u1]);
  });
});
