/**
 * Settings that quietly do nothing are said once: a `serve()` worker with no `drains` (it runs
 * no jobs) when the server starts, and routes with no `streamSecret` (enqueue answers carry no
 * stream token) at their first request. Saying it on purpose (`false`) is quiet.
 */
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { queueRoutes } from "../../adapters/hono.js";
import { serve } from "../../adapters/node.js";
import { Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";

const TOKEN = "warnings-admin-token-0123456789";
const SECRET = "warnings-stream-secret-0123456789";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("serve() with a worker and no drains", () => {
  async function warningsOf(drains: { loop: true } | false | undefined) {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { queue } = memoryQueue();
    const worker = new Worker(queue);
    const fetch = () => new Response("ok");
    const running = await serve({ fetch, queue, worker, drains, port: 0, signals: false });
    await running.close();
    return warn.mock.calls.map((call) => String(call[0]));
  }

  it("warns once at start, naming drains: { loop: true } and drains: false", async () => {
    const warnings = await warningsOf(undefined);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no drains.*drains: \{ loop: true \}.*drains: false/);
  });

  it("says nothing with a cadence, or with drains: false", async () => {
    expect(await warningsOf({ loop: true })).toEqual([]);
    expect(await warningsOf(false)).toEqual([]);
  });

  it("says nothing without a worker", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { queue } = memoryQueue();
    const running = await serve({ fetch: () => new Response(), queue, port: 0, signals: false });
    await running.close();
    expect(warn).not.toHaveBeenCalled();
  });
});

describe("queueRoutes without a streamSecret", () => {
  const auth = { tokens: [TOKEN] };
  const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
  const enqueue = (app: Hono) =>
    app.request("/q/jobs", { method: "POST", headers, body: '{"type":"t","payload":null}' });

  it("warns once at the first request (building the routes logs nothing); answers carry no token", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { queue } = memoryQueue();
    const app = new Hono().route("/q", queueRoutes(queue, { auth }));
    expect(warn).not.toHaveBeenCalled();
    const answers = [await enqueue(app), await enqueue(app)];
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/no streamSecret.*streamToken/);
    for (const answer of answers) expect(await answer.json()).not.toHaveProperty("streamToken");
  });

  it("says nothing with a secret, or with streamSecret: false", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { queue } = memoryQueue();
    const signed = new Hono().route("/q", queueRoutes(queue, { auth, streamSecret: SECRET }));
    expect(await (await enqueue(signed)).json()).toHaveProperty("streamToken");
    const off = new Hono().route("/q", queueRoutes(queue, { auth, streamSecret: false }));
    expect(await (await enqueue(off)).json()).not.toHaveProperty("streamToken");
    expect(warn).not.toHaveBeenCalled();
  });
});
