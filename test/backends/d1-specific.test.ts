/**
 * What the conformance suite does not cover on D1: the factory, schema upgrades, errors, and
 * a batch re-sent after its reply was lost. Size limits: d1-limits.test.ts.
 */
import { describe, expect, it } from "vitest";
import type { FullBackend, NewJobRecord } from "../../src/backend.js";
import {
  D1_MAX_PAYLOAD_BYTES,
  type D1DatabaseLike,
  type D1PreparedStatementLike,
  d1Backend,
} from "../../src/backends/d1/index.js";
import { classifySqliteCodeError } from "../../src/backends/sqlite/classify-code.js";
import { MIGRATIONS } from "../../src/backends/sqlite/migrations.js";
import { tablesFor } from "../../src/backends/sqlite/schema.js";
import { newToken } from "../../src/internal/ids.js";
import { JobQueue } from "../../src/queue.js";
import { useD1Backend } from "../support/miniflare-d1.js";

const { clock, db, backend, newQueue, newJob, claimOf } = useD1Backend();
const nothingStored = { queued: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };

describe("d1Backend", () => {
  it("names itself, declares every group but push and its payload limit", () => {
    expect(backend().name).toBe("d1");
    expect(backend().capabilities.maxPayloadBytes).toBe(D1_MAX_PAYLOAD_BYTES);
    expect(backend().capabilities.features).not.toContain("push");
    expect(backend().capabilities.features).toContain("groupedCompletion");
  });

  it("refuses a prefix that is no SQL identifier, and anything that is no binding", () => {
    expect(() => d1Backend(db(), { prefix: "x; DROP TABLE y" })).toThrow(
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
    await db().batch(statements.map((sql) => db().prepare(sql)));
    const queue = new JobQueue({ backend: d1Backend(db(), { prefix }), clock, name: "q" });
    expect((await queue.claim())?.id).toBe("old-0");
    const version = await db()
      .prepare(`SELECT value FROM ${t.meta} WHERE key = 'version'`)
      .first<string>("value");
    expect(version).toBe(String(MIGRATIONS.length));
  });

  it("migrates a fresh prefix lazily, on its first call", async () => {
    const fresh = d1Backend(db(), { prefix: `p${newToken().slice(0, 8)}_` });
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
    await backend().enqueue({ ...scope, jobs: [existing] });
    // The same id with other content: the insert sets the id to NULL, D1 refuses the batch.
    const clash = { ...existing, payload: JSON.stringify({ secret: "0ther-s3cr3t" }) };
    const error = await backend()
      .enqueue({ ...scope, jobs: [clash] })
      .catch((e: unknown) => e);
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

describe("a batch re-sent after its reply was lost", () => {
  /** A binding whose next batch runs on D1 and then loses its reply. */
  function losingOnce() {
    let lose = false;
    const losing: D1DatabaseLike = {
      prepare: (sql) => db().prepare(sql),
      batch: async (statements) => {
        const results = await db().batch(statements as never);
        if (!lose) return results;
        lose = false;
        throw new Error("Network connection lost.");
      },
    };
    return { backend: d1Backend(losing) as FullBackend, loseNext: () => (lose = true) };
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
