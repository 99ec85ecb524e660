/**
 * No store call outlives its connection (HEAD, an aborted GET, a long-poll), streams and
 * long-polls are capped, and one watcher per job feeds all its streams.
 */
import { describe, expect, it } from "vitest";
import type { Job } from "../../src/index.js";
import { routesApp } from "../support/routes-app.js";
import { readSse } from "../support/sse-client.js";

type App = ReturnType<typeof routesApp>;

async function enqueued(app: App) {
  const res = await app.postJson("/jobs", { type: "echo", payload: { n: 1 } });
  return (await res.json()) as { id: string; streamUrl: string };
}

const storeCalls = (app: App) => [...app.calls.values()].reduce((sum, n) => sum + n, 0);

/** Lets the clock run 10 s in poll-sized steps; returns the store calls made meanwhile. */
async function callsOverTime(app: App): Promise<number> {
  await app.clock.advance(0);
  const before = storeCalls(app);
  for (let i = 0; i < 100; i++) await app.clock.advance(100);
  return storeCalls(app) - before;
}

/** The event types a stream sends, once it ended. */
async function eventTypes(res: Response): Promise<string[]> {
  const events: string[] = [];
  for await (const item of readSse(res)) if (item.kind === "event") events.push(item.event ?? "");
  return events;
}

/** Reads a stream until its first event (the snapshot), without cancelling it. */
async function firstEvent(res: Response): Promise<void> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let text = "";
  while (!text.includes("event:")) {
    const { value } = await reader.read();
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
}

describe("no store call outlives its connection", () => {
  it("HEAD /jobs/:id/events answers the headers and starts no stream", async () => {
    const app = routesApp({ sse: { pollMs: { min: 100, max: 100 } } });
    const { id } = await enqueued(app);
    const res = await app.asAdmin(`/jobs/${id}/events`, { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(await callsOverTime(app)).toBe(0);
    expect(app.clock.sleeping).toBe(0);
    const missing = await app.asAdmin("/jobs/nope/events", { method: "HEAD" });
    expect(missing.status).toBe(404);
  });

  it("an aborted GET stops polling, even when its body is never cancelled", async () => {
    const app = routesApp({ sse: { pollMs: { min: 100, max: 100 } } });
    const { id } = await enqueued(app);
    const connection = new AbortController();
    const res = await app.asAdmin(`/jobs/${id}/events`, { signal: connection.signal });
    await firstEvent(res);
    connection.abort();
    expect(await callsOverTime(app)).toBe(0);
    expect(app.clock.sleeping).toBe(0);
  });

  it("a long-poll stops when its request aborts; HEAD does not wait", async () => {
    const app = routesApp({ sse: { pollMs: { min: 100, max: 100 } } });
    const { id } = await enqueued(app);
    const connection = new AbortController();
    const waiting = app.asAdmin(`/jobs/${id}/result?waitMs=20000`, { signal: connection.signal });
    await app.clock.untilSleeping(1);
    connection.abort();
    expect((await waiting).status).toBe(202);
    expect(await callsOverTime(app)).toBe(0);
    const head = await app.asAdmin(`/jobs/${id}/result?waitMs=20000`, { method: "HEAD" });
    expect(head.status).toBe(202);
    expect(app.clock.sleeping).toBe(0);
  });
});

describe("stream caps and sharing", () => {
  it("answers 503 + Retry-After past the per-job and total caps, and frees slots on leave", async () => {
    const app = routesApp({ streams: { max: 3, maxPerJob: 2 } });
    const a = await enqueued(app);
    const b = await enqueued(app);
    const open = async (id: string) => app.asAdmin(`/jobs/${id}/events`);
    const a1 = await open(a.id);
    const a2 = await open(a.id);
    const a3 = await open(a.id);
    expect([a1.status, a2.status, a3.status]).toEqual([200, 200, 503]);
    expect(a3.headers.get("retry-after")).toBe("5");
    expect((await a3.json()).error.code).toBe("TOO_MANY_STREAMS");
    expect((await open(b.id)).status).toBe(200);
    const wait = await app.asAdmin(`/jobs/${b.id}/result?waitMs=1000`);
    expect(wait.status).toBe(503); // long-polls count too
    await a1.body?.cancel();
    await app.clock.advance(0);
    expect((await open(b.id)).status).toBe(200);
  });

  it("one store poll feeds every stream of a job", async () => {
    const app = routesApp({ sse: { pollMs: { min: 100, max: 100 } } });
    const { id } = await enqueued(app);
    const job = (await app.queue.claim()) as Job;
    const streams = await Promise.all(
      Array.from({ length: 10 }, () => app.asAdmin(`/jobs/${id}/events`)),
    );
    const seen = streams.map(eventTypes);
    await app.clock.advance(0);
    const reads = () => app.calls.get("readEvents") ?? 0;
    const before = reads();
    for (let i = 0; i < 10; i++) await app.clock.advance(100);
    // One watcher polls every 100 ms: about 10 reads, not 100.
    expect(reads() - before).toBeLessThanOrEqual(12);
    await app.queue.complete(job, "done");
    for (const events of await Promise.all(seen)) expect(events).toEqual(["snapshot", "completed"]);
  });

  it("ends every stream of a job with an error event when the job is gone", async () => {
    const app = routesApp({ sse: { pollMs: { min: 100, max: 100 } } });
    const { id } = await enqueued(app);
    const streams = [
      await app.asAdmin(`/jobs/${id}/events`),
      await app.asAdmin(`/jobs/${id}/events`),
    ];
    const ends = streams.map(eventTypes);
    await app.clock.advance(0);
    await app.queue.purge(["queued"]);
    for (let i = 0; i < 30; i++) await app.clock.advance(100);
    for (const events of await Promise.all(ends)) expect(events).toEqual(["snapshot", "error"]);
    expect(app.clock.sleeping).toBe(0);
  });

  it("a stream that resumes further back is served by the same watcher", async () => {
    const app = routesApp({ sse: { pollMs: { min: 100, max: 100 } } });
    const { id } = await enqueued(app);
    const job = (await app.queue.claim()) as Job; // event 2
    await app.queue.update(job, { progress: 0.5 }); // event 3
    const late = await app.asAdmin(`/jobs/${id}/events`); // snapshot at 3
    const early = await app.asAdmin(`/jobs/${id}/events`, { headers: { "last-event-id": "1" } });
    const ids = (res: Response) =>
      (async () => {
        const got: string[] = [];
        for await (const item of readSse(res)) if (item.kind === "event") got.push(item.id ?? "");
        return got;
      })();
    const lateIds = ids(late);
    const earlyIds = ids(early);
    await app.clock.advance(0);
    await app.queue.complete(job, "done"); // event 4
    expect(await lateIds).toEqual(["3", "4"]);
    expect(await earlyIds).toEqual(["2", "3", "4"]);
  });
});
