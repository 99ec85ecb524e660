import { describe, expect, it } from "vitest";
import type { Job } from "../../src/index.js";
import { routesApp } from "../support/routes-app.js";
import { collectEvents, readSse } from "../support/sse-client.js";

async function enqueued(app: ReturnType<typeof routesApp>) {
  const res = await app.postJson("/jobs", { type: "echo", payload: { n: 1 } });
  return (await res.json()) as { id: string; streamUrl: string; streamToken: string };
}

/** Runs the job through claim, three progress reports and completion: events 2..6. */
async function runToCompletion(app: ReturnType<typeof routesApp>) {
  const job = (await app.queue.claim()) as Job;
  for (const progress of [0.25, 0.5, 0.75]) await app.queue.update(job, { progress });
  await app.queue.complete(job, { done: true });
}

describe("GET /jobs/:id/events (SSE)", () => {
  it("streams a snapshot, then every update in order, and ends after the terminal event", async () => {
    const app = routesApp();
    const { streamUrl } = await enqueued(app);
    const res = await app.app.request(streamUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(res.headers.get("transfer-encoding")).toBeNull();
    expect(res.headers.get("connection")).toBeNull();
    const events = collectEvents(res);
    await runToCompletion(app);
    const got = await events;
    expect(got.map((e) => [e.id, e.event])).toEqual([
      ["1", "snapshot"],
      ["2", "active"],
      ["3", "progress"],
      ["4", "progress"],
      ["5", "progress"],
      ["6", "completed"],
    ]);
    expect(got[5]?.data).toMatchObject({ state: "completed", result: { done: true }, seq: 6 });
  });

  it("resumes with Last-Event-ID after a disconnect: nothing lost, nothing repeated", async () => {
    const app = routesApp();
    const { id, streamToken } = await enqueued(app);
    const url = `/jobs/${id}/events?token=${streamToken}`;
    const job = (await app.queue.claim()) as Job;
    const seen: Array<{ id: string; event: string }> = [];
    for await (const item of readSse(await app.request(url))) {
      if (item.kind !== "event") continue;
      seen.push({ id: item.id ?? "", event: item.event ?? "" });
      if (item.event === "snapshot") await app.queue.update(job, { progress: 0.3 });
      else break; // the client drops right after the first progress event
    }
    expect(seen).toEqual([
      { id: "2", event: "snapshot" },
      { id: "3", event: "progress" },
    ]);
    await app.queue.update(job, { progress: 0.6 }); // while disconnected
    await app.queue.complete(job, "ok");
    const resumed = await collectEvents(
      await app.request(url, { headers: { "last-event-id": "3" } }),
    );
    expect(resumed.map((e) => [e.id, e.event])).toEqual([
      ["4", "progress"],
      ["5", "completed"],
    ]);
    const viaQuery = await collectEvents(await app.request(`${url}&after=4`));
    expect(viaQuery.map((e) => e.id)).toEqual(["5"]);
  });

  it("answers 204 to a reconnect after the terminal event, so EventSource stops", async () => {
    const app = routesApp();
    const { id } = await enqueued(app);
    await runToCompletion(app);
    const res = await app.asAdmin(`/jobs/${id}/events`, { headers: { "last-event-id": "6" } });
    expect(res.status).toBe(204);
    const bad = await app.asAdmin(`/jobs/${id}/events`, { headers: { "last-event-id": "six" } });
    expect(bad.status).toBe(400);
  });

  it("writes heartbeats and hands over at maxStreamMs", async () => {
    const app = routesApp({ sse: { heartbeatMs: 1_000, maxStreamMs: 2_500 } });
    const { id } = await enqueued(app);
    const items: string[] = [];
    const reading = (async () => {
      for await (const item of readSse(await app.asAdmin(`/jobs/${id}/events`))) {
        items.push(item.kind === "event" ? `event:${item.event}` : item.kind);
      }
    })();
    for (const step of [1_000, 1_000, 500]) {
      await app.clock.untilSleeping(3); // heartbeat, max-duration and poll timers
      await app.clock.advance(step);
    }
    await reading;
    expect(items).toEqual(["retry", "event:snapshot", "comment", "comment"]);
  });

  it("ends a stream after sse.maxStorePolls store calls; EventSource resumes without a gap", async () => {
    const budget = 4;
    const app = routesApp({ sse: { maxStorePolls: budget, pollMs: { min: 100, max: 100 } } });
    const { id } = await enqueued(app);
    const job = (await app.queue.claim()) as Job; // event 2
    const storeCalls = () => (app.calls.get("get") ?? 0) + (app.calls.get("readEvents") ?? 0);
    const seen: string[] = [];
    let progress = 0;
    let lastId: string | undefined;
    let streams = 0;
    const finished = () => seen.at(-1)?.endsWith(":completed") ?? false;
    while (!finished()) {
      streams += 1;
      const callsBefore = storeCalls();
      const headers: Record<string, string> = lastId ? { "last-event-id": lastId } : {};
      const items: string[] = [];
      for await (const item of readSse(await app.asAdmin(`/jobs/${id}/events`, { headers }))) {
        items.push(item.kind);
        if (item.kind !== "event") continue;
        seen.push(`${item.id}:${item.event}`);
        lastId = item.id;
        // Each event the client sees makes the job move on: 6 progress reports, then the end.
        progress += 1;
        if (progress <= 6) await app.queue.update(job, { progress: progress / 10 });
        else if (progress === 7) await app.queue.complete(job, "done");
      }
      // The route's own look-up plus at most `budget` polls, then a clean end with a retry hint.
      expect(storeCalls() - callsBefore).toBeLessThanOrEqual(budget + 1);
      if (!finished()) expect(items.at(-1)).toBe("retry");
    }
    expect(streams).toBeGreaterThan(2);
    expect(seen).toEqual([
      "2:snapshot", // claimed before the first connect
      ...[3, 4, 5, 6, 7, 8].map((seq) => `${seq}:progress`),
      "9:completed",
    ]);
  });

  it("stops polling the store as soon as the client disconnects", async () => {
    const app = routesApp({ sse: { pollMs: { min: 100, max: 100 } } });
    const { id } = await enqueued(app);
    for await (const item of readSse(await app.asAdmin(`/jobs/${id}/events`))) {
      if (item.kind === "event") break; // disconnect after the snapshot
    }
    await app.clock.advance(0);
    const reads = app.calls.get("readEvents") ?? 0;
    for (let i = 0; i < 5; i++) await app.clock.advance(100);
    expect(app.calls.get("readEvents") ?? 0).toBe(reads);
    expect(app.clock.sleeping).toBe(0);
  });
});

describe("stream tokens", () => {
  it("let a browser read one job's status and stream, without its payload", async () => {
    const app = routesApp();
    const { id, streamToken } = await enqueued(app);
    const other = await enqueued(app);
    const asBrowser = await app.request(`/jobs/${id}?token=${streamToken}`);
    expect(asBrowser.status).toBe(200);
    const view = await asBrowser.json();
    expect(view).toMatchObject({ id, state: "queued" });
    expect(view).not.toHaveProperty("payload");
    expect((await (await app.asAdmin(`/jobs/${id}`)).json()).payload).toEqual({ n: 1 });
    expect((await app.request(`/jobs/${other.id}?token=${streamToken}`)).status).toBe(401);
    expect(
      (await app.request(`/jobs/${id}/cancel?token=${streamToken}`, { method: "POST" })).status,
    ).toBe(401);
  });

  it("are refused when tampered with or expired", async () => {
    const app = routesApp({ streamTokenTtlMs: 60_000 });
    const { id, streamToken } = await enqueued(app);
    const [v, exp, sig] = streamToken.split(".") as [string, string, string];
    const later = `${v}.${Number(exp) + 3_600_000}.${sig}`;
    const flipped = `${v}.${exp}.${sig.slice(0, -2)}${sig.endsWith("AA") ? "BB" : "AA"}`;
    for (const token of [later, flipped, "v1.1.x", "garbage"]) {
      const res = await app.request(`/jobs/${id}/events?token=${encodeURIComponent(token)}`);
      expect(res.status).toBe(401);
      expect((await res.json()).error.message).toBe("stream token invalid or expired");
    }
    expect((await app.request(`/jobs/${id}?token=${streamToken}`)).status).toBe(200);
    await app.clock.advance(60_000);
    expect((await app.request(`/jobs/${id}?token=${streamToken}`)).status).toBe(401);
  });

  it("accept only the canonical encoding of a signature", async () => {
    const app = routesApp();
    const { id, streamToken } = await enqueued(app);
    // 32 bytes in 43 base64url characters: the last one carries two unused bits, so three
    // other characters decode to the same bytes.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(streamToken.slice(-1));
    const variants = [0, 1, 2, 3]
      .map((bits) => (last & ~3) | bits)
      .filter((index) => index !== last)
      .map((index) => `${streamToken.slice(0, -1)}${alphabet[index]}`);
    expect(variants).toHaveLength(3);
    for (const token of variants) {
      expect((await app.request(`/jobs/${id}?token=${token}`)).status).toBe(401);
    }
    expect((await app.request(`/jobs/${id}?token=${streamToken}`)).status).toBe(200);
  });
});
