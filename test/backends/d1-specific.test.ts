/**
 * What the conformance suite does not cover on D1: its errors, its size limits, the largest
 * batches the core sends, and a batch re-sent after its reply was lost.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClaimInput, FullBackend, NewJobRecord } from "../../src/backend.js";
import {
  D1_MAX_PAYLOAD_BYTES,
  type D1DatabaseLike,
  type D1PreparedStatementLike,
  d1Backend,
} from "../../src/backends/d1/index.js";
import { classifySqliteCodeError } from "../../src/backends/sqlite/classify-code.js";
import { MIGRATIONS } from "../../src/backends/sqlite/migrations.js";
import { tablesFor } from "../../src/backends/sqlite/schema.js";
import { cron } from "../../src/cron.js";
import { ManualClock } from "../../src/internal/clock.js";
import { newJobId, newToken } from "../../src/internal/ids.js";
import type { Job } from "../../src/job.js";
import { JobQueue } from "../../src/queue.js";
import { type MiniflareD1, startMiniflareD1 } from "../support/miniflare-d1.js";

let d1: MiniflareD1;
let backend: FullBackend;
beforeAll(async () => {
  d1 = await startMiniflareD1();
  backend = d1Backend(d1.db) as FullBackend;
  await backend.init?.();
});
afterAll(() => d1?.dispose());

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const newQueue = (options: { maxPayloadBytes?: number } = {}) =>
  new JobQueue({
    backend,
    clock,
    cron,
    name: `d1-${newToken().slice(0, 12)}`,
    progressIntervalMs: 0,
    ...options,
  });
/** A JSON string value whose encoding is exactly `bytes` bytes (its two quotes included). */
const jsonOf = (bytes: number) => "x".repeat(bytes - 2);
const nothingStored = { queued: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };

const newJob = (overrides: Partial<NewJobRecord> = {}): NewJobRecord => ({
  id: newJobId(clock.now()),
  type: "t",
  payload: "{}",
  priority: 0,
  runAt: clock.now(),
  maxAttempts: 3,
  backoff: null,
  idempotencyKey: null,
  concurrencyKey: null,
  ...overrides,
});
const claimOf = (limit: number): Omit<ClaimInput, "queue" | "now"> => ({
  limit,
  token: newToken(),
  leaseUntil: clock.now() + 30_000,
  expiredError: "{}",
  failedExpiresAt: clock.now() + 60_000,
});

describe("d1Backend", () => {
  it("names itself, declares every group but push and its payload limit", () => {
    expect(backend.name).toBe("d1");
    expect(backend.capabilities.maxPayloadBytes).toBe(D1_MAX_PAYLOAD_BYTES);
    expect(backend.capabilities.features).not.toContain("push");
    expect(backend.capabilities.features).toContain("groupedCompletion");
  });

  it("refuses a prefix that is no SQL identifier, and anything that is no binding", () => {
    expect(() => d1Backend(d1.db, { prefix: "x; DROP TABLE y" })).toThrow(
      expect.objectContaining({ code: "VALIDATION", field: "prefix" }),
    );
    expect(() => d1Backend({} as D1DatabaseLike)).toThrow(
      expect.objectContaining({ code: "VALIDATION", field: "db" }),
    );
  });

  it("upgrades a version-1 schema holding jobs, on its first call", async () => {
    const prefix = `v${newToken().slice(0, 8)}_`;
    const t = tablesFor(prefix);
    const statements = [
      `CREATE TABLE ${t.meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      ...(MIGRATIONS[0]?.(t) ?? []),
      `INSERT INTO ${t.meta} VALUES ('migration:1', ''), ('version', '1')`,
      `INSERT INTO ${t.jobs} (id, queue, type, payload, state, priority, max_attempts, run_at,
        created_at, updated_at) VALUES ('old-0', 'q', 't', '0', 'queued', 0, 3, 0, 0, 0)`,
    ];
    await d1.db.batch(statements.map((sql) => d1.db.prepare(sql)));
    const queue = new JobQueue({ backend: d1Backend(d1.db, { prefix }), clock, name: "q" });
    expect((await queue.claim())?.id).toBe("old-0");
    const version = await d1.db
      .prepare(`SELECT value FROM ${t.meta} WHERE key = 'version'`)
      .first<string>("value");
    expect(version).toBe(String(MIGRATIONS.length));
  });

  it("migrates a fresh prefix lazily, on its first call", async () => {
    const fresh = d1Backend(d1.db, { prefix: `p${newToken().slice(0, 8)}_` });
    const scope = { queue: "q", now: clock.now() };
    expect(await fresh.stats(scope)).toEqual(nothingStored);
  });
});

describe("errors", () => {
  it("classifies D1's messages by their SQLite code, extended codes included", () => {
    const error = (message: string) => classifySqliteCodeError(new Error(message));
    expect(error("D1_ERROR: no such table: jdobb_jobs: SQLITE_ERROR").kind).toBe("missing-schema");
    expect(error("D1_ERROR: string or blob too big: SQLITE_TOOBIG").kind).toBe("refused");
    expect(
      error(
        "D1_ERROR: NOT NULL constraint failed: jdobb_jobs.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_NOTNULL)",
      ).kind,
    ).toBe("refused");
    expect(error("D1_ERROR: database is locked: SQLITE_BUSY").kind).toBe("unavailable");
    expect(error("Network connection lost.").kind).toBe("unavailable");
  });

  it("a statement D1 refuses is a BackendError with a code, naming no argument", async () => {
    const queue = newQueue();
    const scope = { queue: queue.name, now: clock.now() };
    const existing = newJob({ payload: JSON.stringify({ secret: "s3cr3t-payload" }) });
    await backend.enqueue({ ...scope, jobs: [existing] });
    // The same id with other content: the insert sets the id to NULL, D1 refuses the batch.
    const clash = { ...existing, payload: JSON.stringify({ secret: "0ther-s3cr3t" }) };
    const error = await backend.enqueue({ ...scope, jobs: [clash] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BACKEND_ERROR", name: "BackendError" });
    expect((error as Error).message).toMatch(/^d1: .*SQLITE_CONSTRAINT/);
    expect((error as Error).message).not.toMatch(/s3cr3t|INSERT/);
  });

  it("a call that gets no reply (no SQLite code) is BackendUnavailableError", async () => {
    const lost = () => Promise.reject(new Error("Network connection lost."));
    const statement: D1PreparedStatementLike = { bind: () => statement, all: lost };
    const unreachable = d1Backend({ prepare: () => statement, batch: lost });
    const error = await unreachable.stats({ queue: "q", now: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BACKEND_UNAVAILABLE", name: "BackendUnavailableError" });
    expect((error as Error).message).toMatch(/^d1: .*Network connection lost/);
  });
});

describe("limits", () => {
  it("stores a payload, progress data and a result of exactly the limit on one job", async () => {
    const queue = newQueue();
    const atLimit = jsonOf(D1_MAX_PAYLOAD_BYTES);
    const id = await queue.enqueue("t", atLimit);
    const job = (await queue.claim()) as Job;
    expect(job.payload).toBe(atLimit);
    expect(await queue.update(job, { progress: 0.5, message: "half", data: atLimit })).toBe(true);
    expect(await queue.complete(job, atLimit)).toBe(true);
    const stored = await queue.get(id);
    expect(stored).toMatchObject({ state: "completed", payload: atLimit, data: atLimit });
    expect(stored?.result).toBe(atLimit);
    const events = await queue.readEvents(id);
    expect(events.map((e) => e.type)).toEqual(["enqueued", "active", "progress", "completed"]);
    expect(events.at(-1)?.result).toBe(atLimit);
  });

  it("refuses one byte over the limit with VALIDATION before anything is stored", async () => {
    const queue = newQueue();
    const over = jsonOf(D1_MAX_PAYLOAD_BYTES + 1);
    await expect(queue.enqueue("t", over)).rejects.toMatchObject({
      code: "VALIDATION",
      field: "payload",
    });
    expect(await queue.stats()).toEqual(nothingStored);
    const id = await queue.enqueue("t", 1);
    const job = (await queue.claim()) as Job;
    await expect(queue.update(job, { data: over })).rejects.toMatchObject({
      code: "VALIDATION",
      field: "data",
    });
    await expect(queue.complete(job, over)).rejects.toMatchObject({
      code: "VALIDATION",
      field: "result",
    });
    expect((await queue.get(id))?.state).toBe("active");
    expect((await queue.readEvents(id)).map((e) => e.type)).toEqual(["enqueued", "active"]);
  });

  it("a row D1 finds too big (the queue's limit raised) is a BackendError; nothing stored", async () => {
    const queue = newQueue({ maxPayloadBytes: 3_000_000 });
    const huge = jsonOf(2_300_000); // over D1's row limit (2,200,000 bytes in miniflare)
    const error = await queue.enqueue("t", huge).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BACKEND_ERROR" });
    expect((error as Error).message).toMatch(/SQLITE_TOOBIG/);
    expect((error as Error).message.length).toBeLessThan(300);
    expect(await queue.stats()).toEqual(nothingStored);

    const id = await queue.enqueue("t", 1);
    const job = (await queue.claim()) as Job;
    await expect(queue.complete(job, huge)).rejects.toMatchObject({ code: "BACKEND_ERROR" });
    expect((await queue.get(id))?.state).toBe("active");
    expect((await queue.readEvents(id)).map((e) => e.type)).toEqual(["enqueued", "active"]);
  });

  it("enqueues the largest batch (1,000 jobs with 512-character keys) and claims it", async () => {
    const queue = newQueue();
    const key = (i: number) => `${String(i).padStart(4, "0")}-${"k".repeat(507)}`;
    const items = Array.from({ length: 1_000 }, (_, i) => ({
      type: "t",
      payload: { i },
      options: { idempotencyKey: key(i) },
    }));
    const results = await queue.enqueueMany(items);
    expect(results.filter((r) => r.created)).toHaveLength(1_000);
    // Sent again: every key is taken, every holder answered.
    const again = await queue.enqueueMany(items);
    expect(again.map((r) => r.id)).toEqual(results.map((r) => r.id));
    expect(again.some((r) => r.created)).toBe(false);
    expect((await queue.claimMany(1_000)).map((job) => job.id)).toEqual(results.map((r) => r.id));
  });

  it("completes a group whose results together exceed D1's row limit", async () => {
    const queue = newQueue();
    const scope = { queue: queue.name, now: clock.now() };
    await queue.enqueueMany(Array.from({ length: 4 }, (_, i) => ({ type: "t", payload: i })));
    const claim = { ...scope, ...claimOf(4) };
    const { jobs } = await backend.claim(claim);
    const result = JSON.stringify(jsonOf(D1_MAX_PAYLOAD_BYTES));
    // The first member's small result goes in the group's statement, the others on their own;
    // the last member's lease is not ours (a stale token): its completion is fenced.
    const items = jobs.map((job, i) => ({
      id: job.id,
      token: i === 3 ? newToken() : claim.token,
      result: i === 0 ? '"small"' : result,
      expiresAt: scope.now + 60_000,
      next: claimOf(1),
    }));
    const outcomes = await backend.completeAndClaimMany({ ...scope, items });
    expect(outcomes.map((o) => o.completed)).toEqual([true, true, true, false]);
    expect(await queue.stats()).toMatchObject({ active: 1, completed: 3 });
    expect((await queue.get(jobs[0]?.id as string))?.result).toBe("small");
    expect((await queue.get(jobs[1]?.id as string))?.result).toBe(jsonOf(D1_MAX_PAYLOAD_BYTES));
  });
});

describe("a batch re-sent after its reply was lost", () => {
  /** A binding whose next batch runs on D1 and then loses its reply. */
  function losingOnce() {
    let lose = false;
    const db: D1DatabaseLike = {
      prepare: (sql) => d1.db.prepare(sql),
      batch: async (statements) => {
        const results = await d1.db.batch(statements as never);
        if (!lose) return results;
        lose = false;
        throw new Error("Network connection lost.");
      },
    };
    return { backend: d1Backend(db) as FullBackend, loseNext: () => (lose = true) };
  }

  it("answers as the first run did and stores the change once", async () => {
    const { backend: flaky, loseNext } = losingOnce();
    const scope = { queue: `d1-${newToken().slice(0, 12)}`, now: clock.now() };
    const jobs = [newJob(), newJob({ idempotencyKey: "key" })];
    loseNext();
    await expect(flaky.enqueue({ ...scope, jobs })).rejects.toMatchObject({
      code: "BACKEND_UNAVAILABLE",
    });
    expect(await flaky.enqueue({ ...scope, jobs })).toEqual(
      jobs.map((job) => ({ id: job.id, created: true })),
    );
    const claim = { ...scope, ...claimOf(2) };
    loseNext();
    await expect(flaky.claim(claim)).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    expect((await flaky.claim(claim)).jobs.map((job) => job.id)).toEqual(jobs.map((j) => j.id));
    const [first] = jobs as [NewJobRecord];
    const completion = {
      ...scope,
      id: first.id,
      token: claim.token,
      result: "1",
      expiresAt: scope.now + 60_000,
    };
    const item = { ...completion, next: claimOf(1) };
    loseNext();
    await expect(flaky.completeAndClaim(item)).rejects.toMatchObject({
      code: "BACKEND_UNAVAILABLE",
    });
    expect((await flaky.completeAndClaim(item)).completed).toBe(true);
    const events = await flaky.readEvents({ ...scope, id: first.id, after: 0, limit: 10 });
    expect(events.map((e) => e.type)).toEqual(["enqueued", "active", "completed"]);
    expect(await flaky.stats(scope)).toMatchObject({ queued: 0, active: 1, completed: 1 });
  });
});
