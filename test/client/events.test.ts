/**
 * `events()` and `watch()` against a real server whose streams end or are cut often while a job
 * reports many updates: no gap, no repeat, an end at the terminal event.
 */
import type { AddressInfo, Socket } from "node:net";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { createClient, QueueClientError } from "../../src/client/index.js";
import type { JobUpdate } from "../../src/index.js";
import {
  ADMIN,
  consecutive,
  startTestServer,
  type TestJobs,
  type TestServer,
} from "../support/client-server.js";
import { closedPort } from "../support/unreachable.js";

/** A loopback TCP proxy to `port` that destroys every connection `cutMs` after it opened. */
async function cuttingProxy(port: number, cutMs: number) {
  const sockets = new Set<Socket>();
  let cuts = 0;
  const server = createServer((client) => {
    const upstream = new (client.constructor as typeof Socket)();
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => s.destroy());
    }
    upstream.connect(port, "127.0.0.1");
    client.pipe(upstream);
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    const timer = setTimeout(() => {
      cuts += 1;
      client.resetAndDestroy();
      upstream.destroy();
    }, cutMs);
    client.on("close", () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    cuts: () => cuts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fetch that answers from `responses` in turn, counting calls. */
function scripted(responses: Array<() => Response>) {
  const calls: string[] = [];
  const fetch = async (url: string) => {
    calls.push(url);
    const next = responses.shift();
    if (!next) throw new Error("no more responses scripted");
    return next();
  };
  return { fetch, calls };
}

const sse = (text: string) =>
  new Response(text, { status: 200, headers: { "content-type": "text/event-stream" } });

const seqsOf = (updates: JobUpdate[]) => updates.map((u) => u.seq);

describe("events() against a server that ends its streams every 300 ms", () => {
  let server: TestServer;
  let client: ReturnType<typeof createClient<TestJobs>>;
  beforeAll(async () => {
    server = await startTestServer({ sse: { maxStreamMs: 300, retryMs: 20, heartbeatMs: 100 } });
    client = createClient<TestJobs>({ baseUrl: server.url, token: ADMIN });
  });
  afterAll(() => server?.close());

  it("follows 60 updates across reconnects: no gap, no repeat, ends at the terminal event", async () => {
    const { id } = await client.enqueue("steps", { n: 60, everyMs: 20 });
    const before = server.requests.events;
    const updates: JobUpdate[] = [];
    for await (const update of client.events(id)) {
      expectTypeOf(update.result).toEqualTypeOf<{ steps: number } | null>();
      updates.push(update);
    }
    const connections = server.requests.events - before;
    console.log(`events(): ${updates.length} updates over ${connections} connections`);
    expect(connections).toBeGreaterThanOrEqual(3);
    expect(updates[0]?.type).toBe("snapshot");
    expect(consecutive(seqsOf(updates))).toBe(true);
    // The log: enqueued (1), active (2), 60 progress, completed (63); all of it after the snapshot.
    expect(updates.at(-1)).toMatchObject({ seq: 63, type: "completed", result: { steps: 60 } });
  });

  it("resumes from `after`, and ends at once (204) after the terminal event", async () => {
    const { id } = await client.enqueue("steps", { n: 5, everyMs: 1 });
    const all: JobUpdate[] = [];
    for await (const update of client.events(id, { after: 0 })) all.push(update);
    expect(seqsOf(all)).toEqual(all.map((_, i) => i + 1)); // the whole log, from 1
    const from3: JobUpdate[] = [];
    for await (const update of client.events(id, { after: 3 })) from3.push(update);
    expect(from3).toEqual(all.slice(3));
    const before = server.requests.events;
    const after: JobUpdate[] = [];
    for await (const update of client.events(id, { after: all.at(-1)?.seq })) after.push(update);
    expect(after).toEqual([]);
    expect(server.requests.events - before).toBe(1);
    // A finished job from scratch: its snapshot, which is terminal.
    const fresh: JobUpdate[] = [];
    for await (const update of client.events(id)) fresh.push(update);
    expect(fresh).toMatchObject([{ type: "snapshot", state: "completed", seq: all.at(-1)?.seq }]);
  });

  it("works with the job's stream token and no admin token (the browser case)", async () => {
    const { id, streamToken } = await client.enqueue("steps", { n: 20, everyMs: 20 });
    const browser = createClient<TestJobs>({ baseUrl: server.url });
    const updates: JobUpdate[] = [];
    for await (const update of browser.events(id, { token: streamToken })) updates.push(update);
    expect(consecutive(seqsOf(updates))).toBe(true);
    expect(updates.at(-1)?.state).toBe("completed");
    const error = await (async () => {
      for await (const _ of browser.events(id)) expect.fail("no token, no events");
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
  });

  it("watch(): every update to the callback, `done` with the terminal one; stop() ends it", async () => {
    const { id } = await client.enqueue("steps", { n: 30, everyMs: 10 });
    const seen: number[] = [];
    const stop = client.watch(id, (update) => seen.push(update.seq));
    const final = await stop.done;
    expect(final).toMatchObject({ type: "completed", result: { steps: 30 } });
    expect(consecutive(seen)).toBe(true);
    expect(seen.at(-1)).toBe(final?.seq);

    const { id: waiting } = await client.enqueue("wait", {});
    const early: JobUpdate[] = [];
    const stopEarly = client.watch(waiting, (update) => early.push(update));
    await new Promise((resolve) => setTimeout(resolve, 400));
    stopEarly();
    expect(await stopEarly.done).toBe(early.at(-1) ?? null);
    const aborted = new AbortController();
    aborted.abort();
    expect(await client.watch(waiting, () => {}, { signal: aborted.signal }).done).toBeNull();
    await client.cancel(waiting);
  });

  it("breaking out of the loop stops following", async () => {
    const { id } = await client.enqueue("wait", {});
    const seen: JobUpdate[] = [];
    for await (const update of client.events(id)) {
      seen.push(update);
      break;
    }
    expect(seen).toMatchObject([{ type: "snapshot" }]);
    await client.cancel(id);
  });
});

describe("events() through a proxy that cuts every connection after 250 ms", () => {
  it("resumes after each cut: no gap, no repeat, ends at the terminal event", async () => {
    const server = await startTestServer({ sse: { retryMs: 20 } });
    const proxy = await cuttingProxy(server.port, 250);
    try {
      const admin = createClient<TestJobs>({ baseUrl: server.url, token: ADMIN });
      const { id } = await admin.enqueue("steps", { n: 50, everyMs: 20 });
      const cut = createClient<TestJobs>({
        baseUrl: `http://127.0.0.1:${proxy.port}/queue`,
        token: ADMIN,
      });
      const updates: JobUpdate[] = [];
      for await (const update of cut.events(id)) updates.push(update);
      console.log(`through the proxy: ${updates.length} updates, ${proxy.cuts()} cuts`);
      expect(proxy.cuts()).toBeGreaterThanOrEqual(2);
      expect(consecutive(seqsOf(updates))).toBe(true);
      expect(updates.at(-1)).toMatchObject({ seq: 53, type: "completed", result: { steps: 50 } });
    } finally {
      await proxy.close();
      await server.close();
    }
  });
});

describe("events() when tries fail", () => {
  it("gives up after maxFailures consecutive failed tries with the last error (NETWORK)", async () => {
    const port = await closedPort();
    let calls = 0;
    const client = createClient({
      baseUrl: `http://127.0.0.1:${port}/queue`,
      fetch: (url, init) => {
        calls += 1;
        return fetch(url, init);
      },
    });
    const error = await (async () => {
      for await (const _ of client.events("j", { retryMs: 5 })) expect.fail("nothing to yield");
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueClientError);
    expect(error).toMatchObject({ code: "NETWORK", status: 0 });
    expect(calls).toBe(5);
  });

  it("throws at once on an error retrying cannot fix (404 JOB_NOT_FOUND)", async () => {
    const { fetch, calls } = scripted([
      () =>
        Response.json(
          { error: { code: "JOB_NOT_FOUND", message: "job not found" } },
          { status: 404 },
        ),
    ]);
    const client = createClient({ baseUrl: "http://api.test/queue", fetch });
    await expect(client.events("gone").next()).rejects.toMatchObject({ code: "JOB_NOT_FOUND" });
    expect(calls).toHaveLength(1);
  });

  it("retries a 503 and an in-stream BACKEND_UNAVAILABLE, resuming after the last seq", async () => {
    const update = (seq: number, type: string, state = "active") =>
      `id: ${seq}\nevent: ${type}\ndata: ${JSON.stringify({ seq, type, state, jobId: "j" })}\n\n`;
    const { fetch, calls } = scripted([
      () =>
        Response.json(
          { error: { code: "BACKEND_UNAVAILABLE", message: "the store is unavailable" } },
          { status: 503, headers: { "retry-after": "0" } },
        ),
      () =>
        sse(
          `retry: 5\n\n${update(4, "snapshot")}${update(5, "progress")}` +
            'event: error\ndata: {"code":"BACKEND_UNAVAILABLE","message":"x"}\n\n',
        ),
      () => sse(`${update(5, "progress")}${update(6, "completed", "completed")}${update(7, "x")}`),
    ]);
    const client = createClient({ baseUrl: "http://api.test/queue", fetch });
    const updates: JobUpdate[] = [];
    for await (const u of client.events("j", { retryMs: 5 })) updates.push(u);
    expect(seqsOf(updates)).toEqual([4, 5, 6]);
    expect(calls[0]).toBe("http://api.test/queue/jobs/j/events");
    expect(calls[2]).toBe("http://api.test/queue/jobs/j/events?after=5");
  });

  it("reconnects when a stream goes silent for idleTimeoutMs", async () => {
    const { fetch, calls } = scripted([
      () => new Response(new ReadableStream({ start() {} }), { status: 200 }),
      () => new Response(null, { status: 204 }),
    ]);
    const client = createClient({ baseUrl: "http://api.test/queue", fetch });
    const updates: JobUpdate[] = [];
    for await (const u of client.events("j", { idleTimeoutMs: 50, retryMs: 5 })) updates.push(u);
    expect(updates).toEqual([]);
    expect(calls).toHaveLength(2);
  });

  it("an in-stream JOB_NOT_FOUND ends it with that error (status 404)", async () => {
    const { fetch } = scripted([
      () => sse('event: error\ndata: {"code":"JOB_NOT_FOUND","message":"job not found"}\n\n'),
    ]);
    const client = createClient({ baseUrl: "http://api.test/queue", fetch });
    await expect(client.events("j").next()).rejects.toMatchObject({
      status: 404,
      code: "JOB_NOT_FOUND",
    });
  });
});
