import type { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  type ClaimInput,
  type NewJobRecord,
  NO_LIMITS,
  type QueueLimits,
  TYPE_SKIP_DEPTH,
} from "../../src/backend.js";
import { newToken } from "../../src/internal/ids.js";
import { memoryBackend } from "../../src/testing/index.js";
import { redisUrl, tcpSetup } from "../support/redis-clients.js";

/**
 * Claims at the edges the differential suite's small queues rarely reach — the skip depth,
 * more lanes than the claim's limit, a large limit — on Redis and on the oracle, the answers
 * compared. (The differential suite covers the rest.)
 */
describe.skipIf(!redisUrl)("redis claims at the edges, against the oracle", () => {
  const NOW = Date.UTC(2026, 0, 1);
  let admin: IORedis;
  let redis: Backend;
  beforeAll(() => {
    ({ client: admin, backend: redis } = tcpSetup());
  });
  afterAll(() => admin.disconnect());

  /** The same calls on both backends; every claim's answer compared, its ids returned. */
  function pair(limits: Partial<QueueLimits>) {
    const queue = `edge-${newToken().slice(0, 8)}`;
    const oracle = memoryBackend();
    const both = async <T>(call: (b: Backend) => Promise<T>) => {
      const [got, want] = await Promise.all([call(redis), call(oracle)]);
      expect(got).toEqual(want);
      return want;
    };
    let seq = 0;
    return {
      setup: () =>
        both((b) =>
          // biome-ignore lint/style/noNonNullAssertion: both backends declare `limits`
          b.setQueueLimits!({ queue, now: NOW, limits: { ...NO_LIMITS, ...limits } }),
        ),
      enqueue: (jobs: Array<Partial<NewJobRecord>>) => {
        const records = jobs.map((j) => ({
          id: `${queue}-${++seq}`,
          type: "t",
          payload: "1",
          priority: 0,
          runAt: NOW,
          maxAttempts: 3,
          backoff: null,
          idempotencyKey: null,
          concurrencyKey: null,
          ...j,
        }));
        return both((b) => b.enqueue({ queue, now: NOW, jobs: records }));
      },
      claim: async (limit: number, now = NOW) => {
        const input: ClaimInput = {
          queue,
          now,
          limit,
          token: newToken(),
          leaseUntil: now + 60_000,
          expiredError: "{}",
          failedExpiresAt: now + 60_000,
        };
        const outcome = await both((b) => b.claim(input));
        return { ids: outcome.jobs.map((j) => j.id), wakeAt: outcome.wakeAt };
      },
      purge: () => redis.purge({ queue, now: NOW }),
    };
  }

  it("searches a lane only to the skip depth for a type with starts left", async () => {
    const q = pair({ typeRateLimits: [{ type: "slow", limit: 1, windowMs: 60_000 }] });
    await q.setup();
    await q.enqueue([{ type: "slow" }]);
    expect((await q.claim(1)).ids).toHaveLength(1); // "slow" is spent now
    const deep = 2 + TYPE_SKIP_DEPTH;
    await q.enqueue(Array.from({ length: deep }, () => ({ type: "slow", concurrencyKey: "a" })));
    await q.enqueue([{ concurrencyKey: "a" }]); // just past the depth of a claim of 2
    await q.enqueue(Array.from({ length: deep - 1 }, () => ({ type: "slow" })));
    await q.enqueue([{}]); // within the depth of the unkeyed lane
    const first = await q.claim(2);
    expect(first.ids).toHaveLength(1);
    expect(first.wakeAt).toBe(NOW - (NOW % 60_000) + 60_000);
    expect((await q.claim(3)).ids).toHaveLength(1); // a deeper claim finds the keyed one
    await q.purge();
  });

  it("ranks lanes beyond the first limit in the index correctly, with rounds and priorities", async () => {
    const q = pair({ keyConcurrency: 3 });
    await q.setup();
    for (let k = 0; k < 12; k++) {
      await q.enqueue(
        Array.from({ length: 4 }, (_, i) => ({ concurrencyKey: `k${k}`, priority: (k + i) % 3 })),
      );
      await q.enqueue([{ priority: k % 2 }]);
    }
    for (const limit of [1, 3, 7, 2, 25, 5]) await q.claim(limit);
    await q.purge();
  });

  it("drops the candidates over a type's budget after taking the first limit", async () => {
    const q = pair({
      keyRateLimit: { limit: 2, windowMs: 1_000 },
      typeRateLimits: [
        { type: "x", limit: 3, windowMs: 5_000 },
        { type: "y", limit: 1, windowMs: 1_000 },
      ],
    });
    await q.setup();
    const types = ["x", "y", "t"];
    for (let i = 0; i < 60; i++) {
      await q.enqueue([
        { concurrencyKey: i % 5 === 0 ? null : `k${i % 7}`, type: types[i % 3], priority: i % 2 },
      ]);
    }
    for (let step = 0; step < 12; step++) await q.claim(1 + (step % 5), NOW + step * 700);
    await q.purge();
  });
});
