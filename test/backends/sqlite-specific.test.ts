import { join } from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { type FullBackend, NO_LIMITS, type QueueLimits } from "../../src/backend.js";
import { classifyLibsqlError } from "../../src/backends/libsql/classify.js";
import { libsqlBackend } from "../../src/backends/libsql/node.js";
import { MIGRATIONS } from "../../src/backends/sqlite/migrations.js";
import { JobQueue } from "../../src/index.js";
import { ManualClock } from "../../src/internal/clock.js";
import { databaseAt } from "../support/old-schema.js";
import { tempDir } from "../support/temp-dir.js";

const now = Date.UTC(2026, 0, 1);
const limits: QueueLimits = {
  keyConcurrency: 2,
  keyRateLimit: { limit: 5, windowMs: 1_000 },
  typeRateLimits: [
    { type: "resize", limit: 3, windowMs: 60_000 },
    { type: "email", limit: 10, windowMs: 1_000 },
  ],
};
const sorted = { ...limits, typeRateLimits: [...limits.typeRateLimits].reverse() };

describe("SQLite core specifics", () => {
  it("stores one settings record per queue: sorted, re-sendable, onlyIfAbsent keeps it", async () => {
    const backend = libsqlBackend({ url: ":memory:" }) as FullBackend;
    const queue = "settings";
    expect(await backend.getQueueLimits({ queue, now })).toEqual(NO_LIMITS);
    expect(await backend.setQueueLimits({ queue, now, limits })).toEqual(sorted);
    expect(await backend.setQueueLimits({ queue, now, limits })).toEqual(sorted); // re-sent
    const other = { ...NO_LIMITS, keyConcurrency: 1 };
    expect(await backend.setQueueLimits({ queue, now, limits: other, onlyIfAbsent: true })).toEqual(
      sorted,
    );
    expect(await backend.getQueueLimits({ queue, now })).toEqual(sorted);
    expect(await backend.getQueueLimits({ queue: "elsewhere", now })).toEqual(NO_LIMITS);
    expect(await backend.setQueueLimits({ queue, now, limits: NO_LIMITS })).toEqual(NO_LIMITS);
    await backend.close?.();
  });

  it("claims the full way once another process stores type limits", async () => {
    const dir = tempDir();
    const url = `file:${join(dir.path, "q.db")}`;
    const clock = new ManualClock(now);
    const producer = new JobQueue({ backend: libsqlBackend({ url }), clock, name: "typed" });
    const worker = new JobQueue({ backend: libsqlBackend({ url }), clock, name: "typed" });
    await producer.enqueue("t", 0);
    expect(await worker.claim()).not.toBeNull(); // the plain claim
    await producer.setLimits({ rateLimits: { t: { limit: 1, windowMs: 60_000 } } });
    for (const n of [1, 2]) await producer.enqueue("t", n);
    expect(await worker.claimMany(10)).toHaveLength(1); // plain took nothing: the full way
    expect(await worker.claimMany(10)).toEqual([]);
    await Promise.all([producer.close(), worker.close()]);
    dir.remove();
  });

  it("upgrades a version-2 database: lanes and turns stay, limits are stored after", async () => {
    const old = await databaseAt(2, (t) =>
      ["a", "a", "b"].map(
        (key, n) => `INSERT INTO ${t.jobs} (id, queue, type, payload, state, priority,
          max_attempts, run_at, created_at, updated_at, concurrency_key)
          VALUES ('old-${n}', 'q', 't', '${n}', 'queued', 0, 3, 0, 0, 0, '${key}')`,
      ),
    );
    const queue = new JobQueue({ backend: libsqlBackend({ url: old.url }), name: "q" });
    await queue.setLimits({ keys: { concurrency: 1 } });
    expect((await queue.claimMany(10)).map((job) => job.id)).toEqual(["old-0", "old-2"]);
    expect(await old.version()).toBe(String(MIGRATIONS.length));
    await queue.close();
    old.remove();
  });

  it("keeps no lane row for an idle key: finished, purged, or once its window closes", async () => {
    const dir = tempDir();
    const url = `file:${join(dir.path, "lanes.db")}`;
    const clock = new ManualClock(now);
    const queue = new JobQueue({ backend: libsqlBackend({ url }), clock, name: "lanes" });
    const lanes = async () => {
      const client = createClient({ url });
      const { rows } = await client.execute("SELECT COUNT(*) AS n FROM jdobb_lanes");
      client.close();
      return Number(rows[0]?.n);
    };
    const keyed = (n: number, from: number) =>
      queue.enqueueMany(
        Array.from({ length: n }, (_, i) => ({
          type: "t",
          payload: i,
          options: { concurrencyKey: `k${from + i}` },
        })),
      );
    await keyed(1_000, 0);
    expect(await lanes()).toBe(1_001); // one per key, and the unkeyed lane's turn
    await queue.purge();
    expect(await lanes()).toBe(1);
    await keyed(100, 0);
    for (const job of await queue.claimMany(100)) await queue.complete(job, null);
    expect(await lanes()).toBe(1); // the last job of each key finished: its row went with it
    await queue.setLimits({ keys: { rateLimit: { limit: 5, windowMs: 1_000 } } });
    await keyed(10, 0);
    for (const job of await queue.claimMany(10)) await queue.complete(job, null);
    expect(await lanes()).toBe(11); // each key's window is still open
    await clock.advance(1_000);
    await queue.purge(["completed"]);
    expect(await lanes()).toBe(1);
    await queue.close();
    dir.remove();
  });

  it("a re-sent group member answers its first run's wakeAt, not one after the later members", async () => {
    const backend = libsqlBackend({ url: ":memory:" }) as FullBackend;
    const queue = "wake";
    const typeRateLimits = [
      { type: "a", limit: 1, windowMs: 60_000 },
      { type: "b", limit: 1, windowMs: 1_000 },
    ];
    await backend.setQueueLimits({ queue, now, limits: { ...NO_LIMITS, typeRateLimits } });
    const job = (id: string, type: string, priority: number) => ({
      id,
      type,
      payload: "0",
      priority,
      runAt: now,
      maxAttempts: 3,
      backoff: null,
      idempotencyKey: null,
      concurrencyKey: null,
    });
    const jobs = [job("w1", "w", 9), job("w2", "w", 9), job("a1", "a", 2), job("a2", "a", 2)];
    await backend.enqueue({
      queue,
      now,
      jobs: [...jobs, job("b1", "b", 0), job("b2", "b", 0)],
    });
    const lease = { leaseUntil: now + 30_000, expiredError: "{}", failedExpiresAt: now };
    await backend.claim({ queue, now, limit: 2, token: "t0", ...lease });
    const member = (id: string, token: string) => ({
      id,
      token: "t0",
      result: "null",
      expiresAt: now + 60_000,
      next: { limit: 2, token, ...lease },
    });
    // Member 1 takes a1 (a2 waits for a's window); member 2 takes b1 (b's window ends first).
    const input = { queue, now, items: [member("w1", "t1"), member("w2", "t2")] };
    const first = await backend.completeAndClaimMany(input);
    expect(first.map((o) => [o.claimed.map((j) => j.id), o.wakeAt])).toEqual([
      [["a1"], now + 60_000],
      [["b1"], now + 1_000],
    ]);
    const again = await backend.completeAndClaimMany(input); // re-sent
    expect(again.map((o) => [o.claimed.map((j) => j.id), o.wakeAt])).toEqual([
      [["a1"], now + 60_000],
      [["b1"], now + 1_000],
    ]);
    await backend.close?.();
  });

  it("classifies libSQL errors: a missing table migrates, busy is retryable, the rest refused", () => {
    const coded = (code: string, message: string) => Object.assign(new Error(message), { code });
    expect(classifyLibsqlError(coded("SQLITE_ERROR", "no such table: jdobb_jobs")).kind).toBe(
      "missing-schema",
    );
    expect(classifyLibsqlError(coded("SQLITE_ERROR", "table x has no column named y")).kind).toBe(
      "missing-schema",
    );
    expect(classifyLibsqlError(coded("SQLITE_BUSY", "database is locked")).kind).toBe(
      "unavailable",
    );
    expect(classifyLibsqlError(new TypeError("fetch failed")).kind).toBe("unavailable");
    expect(classifyLibsqlError(coded("SQLITE_CONSTRAINT", "NOT NULL failed"))).toEqual({
      kind: "refused",
      detail: "SQLITE_CONSTRAINT: NOT NULL failed",
    });
  });
});
