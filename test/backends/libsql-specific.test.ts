import { join } from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { scheduledJobId } from "../../src/backend.js";
import { libsqlBackend } from "../../src/backends/libsql/index.js";
import { MIGRATIONS } from "../../src/backends/sqlite/migrations.js";
import { cron } from "../../src/cron.js";
import { BackendUnavailableError, type Job, JobQueue } from "../../src/index.js";
import { ManualClock } from "../../src/internal/clock.js";
import { startHranaServer } from "../support/hrana-server.js";
import { databaseAt } from "../support/old-schema.js";
import { startSilentServer } from "../support/silent-server.js";
import { tempDir } from "../support/temp-dir.js";

describe("libsql backend specifics", () => {
  it("migrates once even when several processes open a new database at the same time", async () => {
    const dir = tempDir();
    const url = `file:${join(dir.path, "q.db")}`;
    const queues = Array.from(
      { length: 4 },
      () => new JobQueue({ backend: libsqlBackend({ url }) }),
    );
    const ids = await Promise.all(queues.map((q, i) => q.enqueue("t", i)));
    expect(new Set(ids).size).toBe(4);
    const client = createClient({ url });
    const meta = await client.execute("SELECT key, value FROM jdobb_meta ORDER BY key");
    expect(meta.rows.map((r) => [r.key, r.value])).toEqual([
      ["migration:1", ""],
      ["migration:2", ""],
      ["migration:3", ""],
      ["version", "3"],
    ]);
    client.close();
    await Promise.all(queues.map((q) => q.close()));
    dir.remove();
  });

  it("costs one HTTP round trip per operation, even for a cold client on an existing database", async () => {
    const dir = tempDir();
    const server = await startHranaServer({ path: join(dir.path, "remote.db") });
    const first = new JobQueue({ backend: libsqlBackend({ url: server.url }), name: "rt" });
    await first.enqueue("t", 0); // creates the schema (missing table → migrate → run again)
    await first.close();
    const cold = new JobQueue({ backend: libsqlBackend({ url: server.url }), name: "rt" });
    const counted = async (op: () => Promise<unknown>) => {
      const before = server.requests;
      await op();
      return server.requests - before;
    };
    expect(await counted(() => cold.enqueue("t", 1))).toBe(1);
    let job: Job | null = null;
    expect(await counted(async () => (job = await cold.claim()))).toBe(1);
    expect(await counted(() => cold.update(job as Job, { progress: 0.5 }))).toBe(1);
    expect(await counted(() => cold.complete(job as Job, "ok"))).toBe(1);
    expect(await counted(() => cold.claimMany(10))).toBe(1);
    expect(await counted(() => cold.cancel((job as Job).id))).toBe(1);
    await cold.close();
    await server.close();
    dir.remove();
  });

  it("works with the user's own client in bigint mode, and leaves it open on close", async () => {
    const client = createClient({ url: ":memory:", intMode: "bigint" });
    const queue = new JobQueue({ backend: libsqlBackend({ client }) });
    const id = await queue.enqueue("t", { n: 1 }, { priority: 3 });
    const job = await queue.claim();
    expect(job).toMatchObject({ id, priority: 3, attempts: 1, payload: { n: 1 } });
    expect(typeof job?.runAt).toBe("number");
    await queue.close();
    expect(client.closed).toBe(false);
    client.close();
  });

  it("keeps queues in separate table prefixes apart", async () => {
    const client = createClient({ url: ":memory:" });
    const a = new JobQueue({ backend: libsqlBackend({ client, prefix: "a_" }) });
    const b = new JobQueue({ backend: libsqlBackend({ client, prefix: "b_" }) });
    await a.enqueue("t", null);
    expect((await b.stats()).queued).toBe(0);
    expect(() => libsqlBackend({ client, prefix: "bad-prefix" })).toThrow(/prefix/);
    client.close();
  });

  it("reports an unreachable server as BackendUnavailableError", async () => {
    const queue = new JobQueue({ backend: libsqlBackend({ url: "http://127.0.0.1:9" }) });
    await expect(queue.enqueue("t", null)).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it("gives up on a server that never answers after timeoutMs, as unavailable", async () => {
    const silent = await startSilentServer();
    try {
      const queue = new JobQueue({ backend: libsqlBackend({ url: silent.url, timeoutMs: 50 }) });
      const failed = await queue.enqueue("t", null).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(BackendUnavailableError);
      expect((failed as BackendUnavailableError).code).toBe("BACKEND_UNAVAILABLE");
    } finally {
      await silent.close();
    }
  });

  it("needs a client or a url; a timeout above 0 (Infinity: none)", () => {
    expect(() => libsqlBackend({ url: "" })).toThrow(/client or a url/);
    for (const timeoutMs of [0, -1, Number.NaN]) {
      expect(() => libsqlBackend({ url: "http://127.0.0.1:9", timeoutMs })).toThrow(/timeoutMs/);
    }
    expect(() =>
      libsqlBackend({ url: "http://127.0.0.1:9", timeoutMs: Number.POSITIVE_INFINITY }),
    ).not.toThrow();
  });

  it("upgrades a version-1 database in place: its jobs stay, in order, and take keys after", async () => {
    // Two jobs as version 1 stored them (no concurrency key column yet).
    const old = await databaseAt(1, (t) =>
      [1, 2].map(
        (n) => `INSERT INTO ${t.jobs} (id, queue, type, payload, state, priority, max_attempts,
          run_at, created_at, updated_at) VALUES ('old-${n}', 'q', 't', '${n}', 'queued', 0, 3,
          0, 0, 0)`,
      ),
    );
    const queue = new JobQueue({ backend: libsqlBackend({ url: old.url }), name: "q" });
    const keyed = await queue.enqueue("t", 3, { concurrencyKey: "k" });
    // The unkeyed lane and lane k take turns.
    expect((await queue.claimMany(10)).map((job) => [job.id, job.concurrencyKey])).toEqual([
      ["old-1", null],
      [keyed, "k"],
      ["old-2", null],
    ]);
    expect(await old.version()).toBe(String(MIGRATIONS.length));
    await queue.close();
    old.remove();
  });

  it("claims a plain queue plainly, and the full way once another process has used a key", async () => {
    const dir = tempDir();
    const url = `file:${join(dir.path, "q.db")}`;
    const clock = new ManualClock();
    const options = { clock, name: "mixed", keys: { concurrency: 1 } };
    const producer = new JobQueue({ backend: libsqlBackend({ url }), ...options });
    const worker = new JobQueue({ backend: libsqlBackend({ url }), ...options });
    const plain = await producer.enqueue("t", 0);
    expect((await worker.claim())?.id).toBe(plain); // no lanes yet: the plain claim
    // Another process's keyed jobs: this worker's plain claim takes nothing, says so, and
    // the same claim runs again the full way, under the key's limit.
    const keyed = [
      await producer.enqueue("t", 1, { concurrencyKey: "A" }),
      await producer.enqueue("t", 2, { concurrencyKey: "A" }),
    ];
    expect((await worker.claimMany(10)).map((job) => job.id)).toEqual([keyed[0]]);
    expect(await worker.claimMany(10)).toEqual([]);
    await Promise.all([producer.close(), worker.close()]);
    dir.remove();
  });

  it("claims with keys, limits and a due schedule in one HTTP round trip", async () => {
    const dir = tempDir();
    const server = await startHranaServer({ path: join(dir.path, "remote.db") });
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const queue = new JobQueue({
      backend: libsqlBackend({ url: server.url }),
      name: "keys",
      clock,
      cron,
      keys: { concurrency: 1, rateLimit: { limit: 5, windowMs: 60_000 } },
      rateLimits: { t: { limit: 10, windowMs: 60_000 } },
    });
    await queue.schedule("tick", { cron: "* * * * *", type: "t" });
    expect(await queue.claimMany(10)).toEqual([]); // the first claim seeds the stored limits
    for (const key of ["a", "a", "b"]) await queue.enqueue("t", key, { concurrencyKey: key });
    await clock.advance(60_000); // the schedule's first tick is due
    const before = server.requests;
    const jobs = await queue.claimMany(10);
    expect(server.requests - before).toBe(1);
    expect(jobs.map((job) => job.concurrencyKey)).toEqual(["a", "b", null]);
    expect(jobs[2]?.id).toBe(scheduledJobId("keys", "tick", Date.UTC(2026, 0, 1, 0, 1)));
    await queue.close();
    await server.close();
    dir.remove();
  });
});
