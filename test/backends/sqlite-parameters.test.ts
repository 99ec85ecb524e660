import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import type { ClaimInput, FullBackend, JobRecord, NewJobRecord } from "../../src/backend.js";
import type { LibsqlClientLike } from "../../src/backends/libsql/client.js";
import { libsqlBackend } from "../../src/backends/libsql/index.js";
import type { SqlStatement } from "../../src/backends/sqlite/client.js";
import { newToken } from "../../src/internal/ids.js";

/** The parameters a statement binds: its highest `?N` (string literals aside). */
const placeholders = (sql: string) => {
  const numbers = sql.replace(/'(?:[^']|'')*'/g, "").matchAll(/\?(\d*)/g);
  return Math.max(0, ...Array.from(numbers, (m) => Number(m[1] || Number.NaN)));
};

/** The most arguments any function call in `sql` passes (string literals aside). */
const widestCall = (sql: string) => {
  const text = sql.replace(/'(?:[^']|'')*'/g, "''");
  let widest = 0;
  for (const call of text.matchAll(/\b[A-Za-z_]\w*\(/g)) {
    let depth = 0;
    let args = 1;
    for (let i = (call.index ?? 0) + call[0].length - 1; i < text.length; i++) {
      const c = text[i];
      if (c === "(") depth++;
      else if (c === ")" && --depth === 0) break;
      else if (c === "," && depth === 1) args++;
    }
    widest = Math.max(widest, args);
  }
  return widest;
};

/** A `@libsql/client` client that records every statement it is sent. */
function countingClient() {
  const inner = createClient({ url: ":memory:" });
  const seen: SqlStatement[] = [];
  const client: LibsqlClientLike = {
    execute: (statement) => {
      seen.push(statement);
      return inner.execute(statement);
    },
    batch: (statements, mode) => {
      seen.push(...statements);
      return inner.batch(statements, mode);
    },
    close: () => inner.close(),
  };
  return { client, seen, close: () => inner.close() };
}

const now = Date.UTC(2026, 0, 1);
const job = (n: number, concurrencyKey: string | null): NewJobRecord => ({
  id: newToken(),
  type: n % 2 === 0 ? "even" : "odd",
  payload: String(n),
  priority: n % 3,
  runAt: now,
  maxAttempts: 3,
  backoff: null,
  idempotencyKey: `key-${n}`,
  concurrencyKey,
});
const claimOf = (queue: string, limit: number): ClaimInput => ({
  queue,
  now,
  limit,
  token: newToken(),
  leaseUntil: now + 30_000,
  expiredError: "{}",
  failedExpiresAt: now + 60_000,
});

describe("SQLite statements bind a fixed, small number of numbered parameters", () => {
  it("binds at most 100 per statement for 1,000 idempotency keys and a group of 50", async () => {
    // …and stays inside D1's other limits: 100 KB a statement, 32 arguments a function call.
    const { client, seen, close } = countingClient();
    const backend = libsqlBackend({ client }) as FullBackend;
    const queue = "params";
    await backend.setQueueLimits({
      queue,
      now,
      limits: {
        keyConcurrency: 2,
        keyRateLimit: { limit: 100, windowMs: 60_000 },
        typeRateLimits: [{ type: "even", limit: 1_000, windowMs: 60_000 }],
      },
    });
    const jobs = Array.from({ length: 1_000 }, (_, n) => job(n, n % 4 === 0 ? null : `k${n % 7}`));
    const enqueued = await backend.enqueue({ queue, now, jobs });
    expect(enqueued.every((outcome) => outcome.created)).toBe(true);
    // Again, as a re-send: every key is held, by these very jobs.
    expect((await backend.enqueue({ queue, now, jobs })).map((o) => o.id)).toEqual(
      enqueued.map((o) => o.id),
    );
    const inputs = Array.from({ length: 50 }, () => claimOf(queue, 1));
    const claimed: Array<JobRecord | undefined> = [];
    for (const input of inputs) claimed.push((await backend.claim(input)).jobs[0]);
    const items = inputs.map((input, i) => ({
      id: claimed[i]?.id ?? "",
      token: input.token,
      result: `"done ${i}"`,
      expiresAt: now + 60_000,
      next: claimOf(queue, 2),
    }));
    const outcomes = await backend.completeAndClaimMany({ queue, now, items });
    expect(outcomes.filter((o) => o.completed)).toHaveLength(50);
    await backend.purge({ queue, now, states: ["queued", "active", "completed"] });
    expect(seen.length).toBeGreaterThan(1_000);
    for (const statement of seen) {
      expect(statement.args.length).toBeLessThanOrEqual(100);
      expect(placeholders(statement.sql)).toBe(statement.args.length);
      // D1's other documented limits (miniflare checks the length, but allows 127 arguments).
      expect(statement.sql.length).toBeLessThanOrEqual(100_000);
      expect(widestCall(statement.sql)).toBeLessThanOrEqual(32);
    }
    expect(Math.max(...seen.map((statement) => widestCall(statement.sql)))).toBeGreaterThan(20);
    close();
  });
});
