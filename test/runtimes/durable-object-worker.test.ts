/**
 * The Cloudflare example on its default store, a Durable Object per queue, in workerd: alarms
 * start drains when jobs fall due (no cron tick, no kick), a crashed worker's job runs again
 * when its lease ends, and streams follow jobs on the object's pushed notices.
 */
import { dirname } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClaimInput, scheduledJobId } from "../../src/backend.js";
import { durableObjectBackend } from "../../src/backends/durable-object/backend.js";
import type { QueueObjectNamespace } from "../../src/backends/durable-object/platform.js";
import { type BuiltWorker, buildWorker } from "../support/build-worker.js";
import { DURABLE_OBJECT_OPTIONS } from "../support/durable-object-options.js";
import { collectEvents } from "../support/sse-client.js";

const API_TOKEN = "durable-object-api-token-0123456789";
const headers = { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" };

let bundle: BuiltWorker;
let mf: Miniflare;
beforeAll(async () => {
  bundle = await buildWorker();
  mf = new Miniflare({
    modules: true,
    scriptPath: bundle.scriptPath,
    modulesRoot: dirname(bundle.scriptPath),
    compatibilityDate: "2026-04-20",
    // No kick: only an alarm (or a cron tick, which these tests never fire) starts a drain.
    bindings: { API_TOKEN, STREAM_SECRET: "durable-object-stream-secret-0123", KICK: "false" },
    ...DURABLE_OBJECT_OPTIONS,
  });
}, 120_000);
afterAll(async () => {
  await mf?.dispose();
  bundle?.remove();
});

const enqueue = async (body: Record<string, unknown>) => {
  const res = await mf.dispatchFetch("http://worker/queue/jobs", {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; streamUrl: string };
};

/** The job once finished (the route waits up to `waitMs`). */
const result = async (id: string) => {
  const res = await mf.dispatchFetch(`http://worker/queue/jobs/${id}/result?waitMs=15000`, {
    headers,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("the example Worker on its Durable Object store", () => {
  it("an alarm starts a delayed job when it falls due: no cron tick, no kick", async () => {
    const { id } = await enqueue({ type: "uppercase", payload: { text: "later" }, delayMs: 1_500 });
    const done = await result(id);
    expect(done).toMatchObject({ status: 200, body: { state: "completed", attempts: 1 } });
    const events = (await (
      await mf.dispatchFetch(`http://worker/queue/jobs/${id}`, { headers })
    ).json()) as { runAt: number; updatedAt: number };
    console.log(`delayed job: finished ${events.updatedAt - events.runAt} ms after its run time`);
  }, 30_000);

  it("a crashed worker's job runs again when its lease ends", async () => {
    const { id } = await enqueue({ type: "uppercase", payload: { text: "again" } });
    // This test plays the crashed worker: it claims the job for 1 s and never reports back.
    const namespace = await mf.getDurableObjectNamespace("QUEUES");
    const store = durableObjectBackend(namespace as unknown as QueueObjectNamespace);
    const now = Date.now();
    const claim: ClaimInput = {
      queue: "edge",
      now,
      limit: 1,
      token: "crashed-worker-token",
      leaseUntil: now + 1_000,
      expiredError: JSON.stringify({ code: "LEASE_EXPIRED", message: "lease expired" }),
      failedExpiresAt: now + 86_400_000,
    };
    expect((await store.claim(claim)).jobs.map((job) => job.id)).toEqual([id]);
    const done = await result(id);
    expect(done).toMatchObject({
      status: 200,
      body: { state: "completed", attempts: 2, result: { text: "AGAIN" } },
    });
  }, 30_000);

  it("an alarm fires a schedule's tick on time: the claim it starts makes and runs the job", async () => {
    const namespace = await mf.getDurableObjectNamespace("QUEUES");
    const store = durableObjectBackend(namespace as unknown as QueueObjectNamespace);
    const now = Date.now();
    const tick = now + 1_500;
    await store.putSchedule?.({
      queue: "edge",
      now,
      // The tick this test waits for, and one a day later (a schedule fires a tick once it has
      // one after it; the Worker has no cron to add more).
      upcoming: [tick, tick + 86_400_000],
      schedule: {
        id: "nightly",
        cron: "0 3 * * *",
        timezone: null,
        type: "uppercase",
        payload: JSON.stringify({ text: "tick" }),
        priority: 0,
        maxAttempts: 1,
        backoff: null,
        concurrencyKey: null,
        catchUp: "latest",
      },
    });
    const id = scheduledJobId("edge", "nightly", tick);
    // The job exists once the alarm's drain claimed the tick: ask until then (bounded).
    for (let tries = 0; tries < 100; tries++) {
      const found = await mf.dispatchFetch(`http://worker/queue/jobs/${id}`, { headers });
      await found.arrayBuffer();
      if (found.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const done = await result(id);
    expect(done).toMatchObject({
      status: 200,
      body: { state: "completed", result: { text: "TICK" } },
    });
  }, 30_000);

  it("a stream follows a job to its end on pushed notices", async () => {
    const { streamUrl } = await enqueue({
      type: "count",
      payload: { words: ["a", "b", "a"] },
      delayMs: 500,
    });
    const stream = await mf.dispatchFetch(`http://worker${streamUrl}`);
    const events = await collectEvents(stream as unknown as Response);
    expect(events.map((e) => e.event)).toEqual(
      expect.arrayContaining(["snapshot", "active", "completed"]),
    );
    expect(events.at(-1)).toMatchObject({ event: "completed", data: { result: { a: 2, b: 1 } } });
  }, 30_000);
});
