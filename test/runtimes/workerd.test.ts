import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { Log, LogLevel, Miniflare, type WorkerOptions } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstashRestServer } from "../../devtools/upstash-rest-server.js";
import { type BuiltWorker, buildWorker } from "../support/build-worker.js";
import { DURABLE_OBJECT_OPTIONS } from "../support/durable-object-options.js";
import { startHranaServer } from "../support/hrana-server.js";
import { redisUrl } from "../support/redis-clients.js";
import { collectEvents, readSse } from "../support/sse-client.js";
import { tempDir } from "../support/temp-dir.js";
import { unreachableStores } from "../support/unreachable.js";

const API_TOKEN = "workerd-api-token-0123456789";
const STREAM_SECRET = "workerd-stream-secret-0123456789";
const auth = { authorization: `Bearer ${API_TOKEN}` };

let bundle: BuiltWorker;
beforeAll(async () => {
  bundle = await buildWorker();
  console.log(
    `Worker bundle (wrangler deploy --dry-run, minified): ${(bundle.rawBytes / 1024).toFixed(1)} KiB raw, ` +
      `${(bundle.gzipBytes / 1024).toFixed(1)} KiB gzip`,
  );
}, 120_000);
afterAll(() => bundle?.remove());

/** Fires the Worker's cron trigger, as the platform would (waits for ctx.waitUntil work). */
async function cronTick(mf: Miniflare): Promise<string> {
  const worker = (await mf.getWorker()) as unknown as {
    scheduled(event: { cron: string; scheduledTime?: Date }): Promise<{ outcome: string }>;
  };
  return (await worker.scheduled({ cron: "* * * * *", scheduledTime: new Date() })).outcome;
}

interface Store {
  bindings: Record<string, string>;
  /** Miniflare options the store needs (the Durable Object store's bindings). */
  options?: Partial<WorkerOptions>;
  /** Requests the store endpoint has served so far (null: the store is inside workerd). */
  requests(): number | null;
  close(): Promise<void>;
}

const stores: Array<[string, () => Promise<Store>]> = [
  [
    "a Durable Object (the default store)",
    async () => ({
      bindings: {},
      options: DURABLE_OBJECT_OPTIONS,
      requests: () => null,
      close: async () => {},
    }),
  ],
  [
    "a D1 database (STORE=d1)",
    async () => ({
      bindings: { STORE: "d1" },
      options: { d1Databases: ["DB"] },
      requests: () => null,
      close: async () => {},
    }),
  ],
  [
    "Upstash REST → redis-server",
    async () => {
      const endpoint = await startUpstashRestServer({ redisUrl, token: "workerd-redis-token" });
      return {
        bindings: {
          STORE: "upstash",
          UPSTASH_REDIS_REST_URL: endpoint.url,
          UPSTASH_REDIS_REST_TOKEN: endpoint.token,
        },
        requests: () => endpoint.requests,
        close: () => endpoint.close(),
      };
    },
  ],
  [
    "libSQL over HTTP (Hrana)",
    async () => {
      const dir = tempDir();
      const server = await startHranaServer({
        path: join(dir.path, "edge.db"),
        authToken: "workerd-libsql",
      });
      return {
        bindings: { STORE: "turso", LIBSQL_URL: server.url, LIBSQL_AUTH_TOKEN: "workerd-libsql" },
        requests: () => server.requests,
        close: async () => {
          await server.close();
          dir.remove();
        },
      };
    },
  ],
];

describe.skipIf(!redisUrl).each(stores)("the Worker in workerd, on %s", (_, openStore) => {
  let store: Store;
  let mf: Miniflare;
  const start = (extra: Record<string, string> = {}) =>
    new Miniflare({
      modules: true,
      scriptPath: bundle.scriptPath,
      modulesRoot: dirname(bundle.scriptPath),
      compatibilityDate: "2026-04-20",
      log: process.env.WORKERD_LOG ? new Log(LogLevel.DEBUG) : undefined,
      bindings: { API_TOKEN, STREAM_SECRET, ...store.bindings, ...extra },
      ...store.options,
    });
  beforeAll(async () => {
    store = await openStore();
    mf = start({ KICK: "false" });
  });
  afterAll(async () => {
    await mf?.dispose();
    await store?.close();
  });

  it("enqueues over fetch, drains on the cron trigger, and streams with a reconnect", async () => {
    const created = await mf.dispatchFetch("http://worker/queue/jobs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ type: "count", payload: { words: ["a", "b", "a", "c", "a"] } }),
    });
    expect(created.status).toBe(201);
    const { id, streamUrl } = (await created.json()) as { id: string; streamUrl: string };

    const first = await mf.dispatchFetch(`http://worker${streamUrl}`);
    let snapshotSeq = "";
    for await (const item of readSse(first as unknown as Response)) {
      if (item.kind === "event") {
        expect(item.event).toBe("snapshot");
        snapshotSeq = item.id ?? "";
        break; // the client drops before the job has even started
      }
    }
    expect(await cronTick(mf)).toBe("ok");

    const resumed = await mf.dispatchFetch(`http://worker${streamUrl}`, {
      headers: { "last-event-id": snapshotSeq },
    });
    const events = await collectEvents(resumed as unknown as Response);
    const seqs = events.map((e) => Number(e.id));
    expect(seqs[0]).toBe(Number(snapshotSeq) + 1);
    expect(seqs).toEqual(seqs.map((_, i) => Number(snapshotSeq) + 1 + i)); // gap-free
    expect(events[0]?.event).toBe("active");
    expect(events.at(-1)).toMatchObject({
      event: "completed",
      data: { result: { a: 3, b: 1, c: 1 } },
    });
    console.log(`workerd flow (${_}): ${events.map((e) => `${e.id}:${e.event}`).join(" ")}`);

    const status = await mf.dispatchFetch(`http://worker/queue/jobs/${id}`, { headers: auth });
    expect(await status.json()).toMatchObject({ state: "completed", attempts: 1 });
  });

  it("streams on pushed notices where the store pushes: no reads while the job waits", async () => {
    const created = await mf.dispatchFetch("http://worker/queue/jobs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ type: "count", payload: { words: ["x"] } }),
    });
    const { streamUrl } = (await created.json()) as { streamUrl: string };
    const stream = await mf.dispatchFetch(`http://worker${streamUrl}`);
    const reader = readSse(stream as unknown as Response)[Symbol.asyncIterator]();
    let first = await reader.next();
    while (!first.done && first.value.kind !== "event") first = await reader.next();
    expect(first.value).toMatchObject({ kind: "event", event: "snapshot" });
    // Once the stream has settled (subscribed, or polling), a second with nothing happening: a
    // polling stream reads the log twice or so (100 ms backing off by 1.5×); a pushed one only
    // waits on its subscription.
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await sleep(500);
    const before = store.requests();
    await sleep(1_000);
    const after = store.requests();
    expect(await cronTick(mf)).toBe("ok");
    const rest: string[] = [];
    for (let next = await reader.next(); !next.done; next = await reader.next()) {
      if (next.value.kind === "event") rest.push(next.value.event ?? "");
    }
    expect(rest[0]).toBe("active");
    expect(rest.at(-1)).toBe("completed");
    if (before === null || after === null) return; // inside workerd: the bench counts them
    if (_.startsWith("Upstash")) expect(after - before).toBe(0);
    else expect(after - before).toBeGreaterThan(0); // libSQL polls
  });

  it("keeps a second viewer's stream pushed after the first viewer leaves", async () => {
    const created = await mf.dispatchFetch("http://worker/queue/jobs", {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ type: "count", payload: { words: ["y"] } }),
    });
    const { streamUrl } = (await created.json()) as { streamUrl: string };
    const open = async () =>
      readSse((await mf.dispatchFetch(`http://worker${streamUrl}`)) as unknown as Response)[
        Symbol.asyncIterator
      ]();
    const first = await open();
    const second = await open();
    for (const viewer of [first, second]) {
      let next = await viewer.next();
      while (!next.done && next.value.kind !== "event") next = await viewer.next();
    }
    await first.return?.(undefined); // its request ends: a watch it opened would end with it
    const ticked = Date.now();
    expect(await cronTick(mf)).toBe("ok");
    const seen: string[] = [];
    for (let next = await second.next(); !next.done; next = await second.next()) {
      if (next.value.kind === "event") seen.push(next.value.event ?? "");
    }
    expect(seen.at(-1)).toBe("completed");
    // Well before the 20 s safety poll, which alone would bring them on a dead watch.
    expect(Date.now() - ticked).toBeLessThan(10_000);
  });

  it("makes exactly one store call for a cron tick on an empty queue", async (ctx) => {
    const before = store.requests();
    if (before === null) return ctx.skip(); // a Durable Object's calls are not HTTP requests
    expect(await cronTick(mf)).toBe("ok");
    expect((store.requests() ?? 0) - before).toBe(1);
  });

  it("kicks a drain after an enqueue, so the job runs before the next tick", async () => {
    const kicked = start();
    try {
      const created = await kicked.dispatchFetch("http://worker/queue/jobs", {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ type: "uppercase", payload: { text: "edge" } }),
      });
      const { id } = (await created.json()) as { id: string };
      const result = await kicked.dispatchFetch(
        `http://worker/queue/jobs/${id}/result?waitMs=10000`,
        {
          headers: auth,
        },
      );
      expect(result.status).toBe(200);
      expect(await result.json()).toMatchObject({ state: "completed", result: { text: "EDGE" } });
    } finally {
      await kicked.dispose();
    }
  });
});

describe("the Worker in workerd, with its store unreachable", () => {
  it("answers 503 BACKEND_UNAVAILABLE with Retry-After on every backend and outage", async () => {
    const outcomes = await Promise.all(
      (await unreachableStores()).map(async ([name, bindings]) => {
        const mf = new Miniflare({
          modules: true,
          scriptPath: bundle.scriptPath,
          modulesRoot: dirname(bundle.scriptPath),
          compatibilityDate: "2026-04-20",
          bindings: { API_TOKEN, STREAM_SECRET, KICK: "false", ...bindings },
          // workerd prints its own internal trace for a failed DNS lookup: not ours to show.
          handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
            stdout.resume();
            stderr.resume();
          },
        });
        try {
          const res = await mf.dispatchFetch("http://worker/queue/jobs", {
            method: "POST",
            headers: { ...auth, "content-type": "application/json" },
            body: JSON.stringify({ type: "count", payload: { words: ["secret-payload"] } }),
          });
          const body = await res.text();
          return { name, status: res.status, retryAfter: res.headers.get("retry-after"), body };
        } finally {
          await mf.dispose();
        }
      }),
    );
    for (const outcome of outcomes) {
      expect(outcome, outcome.name).toMatchObject({ status: 503, retryAfter: "5" });
      expect(JSON.parse(outcome.body).error.code, outcome.name).toBe("BACKEND_UNAVAILABLE");
      expect(outcome.body, outcome.name).not.toContain("secret-payload");
    }
  }, 60_000);
});
