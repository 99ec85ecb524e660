/**
 * Guards the claim's query plans against an engine upgrade. SQLite 3.51 plans the old plain
 * claim's text with bloom filters, about 5× slower per claim; a libsql release that bundles a
 * newer SQLite must not slip such a plan in silently. Every statement of a claim batch (plain
 * and full) is planned on the engine the tests run: no bloom filter, no scan of the jobs table
 * nor walk of a whole queue, the plain claim reads through the lane's ready index and the
 * lease index, and a group's completion finds each job by its id.
 */
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import type { FullBackend } from "../../src/backend.js";
import type { LibsqlClientLike } from "../../src/backends/libsql/client.js";
import { libsqlBackend } from "../../src/backends/libsql/index.js";
import type { SqlStatement } from "../../src/backends/sqlite/client.js";
import { newJobId, newToken } from "../../src/internal/ids.js";

const now = Date.UTC(2026, 0, 1);

/** A backend on an in-memory database whose client records every batch it is sent. */
function recording() {
  const inner = createClient({ url: ":memory:" });
  const batches: SqlStatement[][] = [];
  const client: LibsqlClientLike = {
    execute: (statement) => inner.execute(statement),
    batch: (statements, mode) => {
      batches.push(statements);
      return inner.batch(statements, mode);
    },
    close: () => inner.close(),
  };
  const backend = libsqlBackend({ client }) as FullBackend;
  /** The plan's lines (`detail`) for `statement`. */
  const plan = async ({ sql, args }: SqlStatement) => {
    const { rows } = await inner.execute({ sql: `EXPLAIN QUERY PLAN ${sql}`, args });
    return Array.from(rows, (row) => String(row.detail));
  };
  return { backend, batches, plan, close: () => inner.close() };
}

const claimOf = (queue: string) => ({
  queue,
  now,
  limit: 5,
  token: newToken(),
  leaseUntil: now + 30_000,
  expiredError: "{}",
  failedExpiresAt: now + 60_000,
});

const job = (n: number, concurrencyKey: string | null) => ({
  id: newJobId(now),
  type: "t",
  payload: String(n),
  priority: 0,
  runAt: now,
  maxAttempts: 3,
  backoff: null,
  idempotencyKey: null,
  concurrencyKey,
});

/** Claims once, then completes and claims as a group of two; returns those batches. */
async function claimBatches(keyed: boolean) {
  const store = recording();
  const queue = keyed ? "keyed" : "plain";
  const jobs = Array.from({ length: 20 }, (_, n) => job(n, keyed ? `k${n % 3}` : null));
  await store.backend.enqueue({ queue, now, jobs });
  const from = store.batches.length;
  const claim = claimOf(queue);
  const first = await store.backend.claim(claim);
  const items = first.jobs.slice(0, 2).map((claimed) => ({
    id: claimed.id,
    token: claim.token,
    result: "null",
    expiresAt: now + 60_000,
    next: claimOf(queue),
  }));
  const outcomes = await store.backend.completeAndClaimMany({ queue, now, items });
  expect(outcomes.map((outcome) => outcome.completed)).toEqual([true, true]);
  return { ...store, claimed: store.batches.slice(from) };
}

describe("claim query plans", () => {
  for (const keyed of [false, true]) {
    it(`${keyed ? "full" : "plain"} claim batches: no bloom filter, no scan of the jobs table`, async () => {
      const { claimed, plan, close } = await claimBatches(keyed);
      expect(claimed.length).toBeGreaterThanOrEqual(2);
      for (const statement of claimed.flat()) {
        for (const line of await plan(statement)) {
          expect(line, statement.sql).not.toMatch(/BLOOM/i);
          expect(line, statement.sql).not.toMatch(/^SCAN (jdobb_jobs|j|a)\b(?! USING)/);
          // The queue index finds every job of the queue: a claim batch never walks it.
          expect(line, statement.sql).not.toMatch(/USING INDEX jdobb_jobs_queue\b/);
        }
      }
      close();
    });
  }

  it("the plain group claim reads the ready and lease indexes; its completion, each job by id", async () => {
    const { claimed, plan, close } = await claimBatches(false);
    const claims = claimed.flat().filter((s) => s.sql.includes("json_each(?1)"));
    expect(claims.length).toBe(2);
    for (const claim of claims) {
      const lines = (await plan(claim)).join("\n");
      expect(lines).toMatch(
        /SEARCH jdobb_jobs USING INDEX jdobb_jobs_lane_ready \(queue=\? AND concurrency_key=\?\)/,
      );
      expect(lines).toMatch(
        /SEARCH j USING INDEX jdobb_jobs_lease \(queue=\? AND lease_until=\?\)/,
      );
    }
    const [group] = claimed.flat().filter((s) => s.sql.includes("json_each(?2)"));
    expect(group?.sql).toMatch(/^UPDATE jdobb_jobs SET state = 'completed'/);
    expect((await plan(group as SqlStatement)).join("\n")).toMatch(
      /SCAN json_each.*\n.*SEARCH jdobb_jobs USING INDEX sqlite_autoindex_jdobb_jobs_1 \(id=\?\)/,
    );
    close();
  });
});
