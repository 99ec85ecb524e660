import { join } from "node:path";
import { createClient } from "@libsql/client";
import { describe, expect, it } from "vitest";
import { libsqlBackend } from "../../src/backends/libsql/index.js";
import { BackendUnavailableError, type Job, JobQueue } from "../../src/index.js";
import { startHranaServer } from "../support/hrana-server.js";
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
      ["version", "2"],
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

  it("needs a client or a url", () => {
    expect(() => libsqlBackend({ url: "" })).toThrow(/client or a url/);
  });
});
