/** Over a real Node server: HEAD starts no stream, and a client that leaves stops its polling. */
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueRoutes } from "../../adapters/hono.js";
import { type RunningServer, serve } from "../../adapters/node.js";
import { memoryQueue } from "../support/memory-queue.js";
import { ADMIN } from "../support/routes-app.js";

const auth = { authorization: `Bearer ${ADMIN}` };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("streams over @hono/node-server", () => {
  const setup = memoryQueue({ clock: undefined });
  const calls = () => [...setup.calls.values()].reduce((sum, n) => sum + n, 0);
  const callsDuring = async (ms: number) => {
    const before = calls();
    await pause(ms);
    return calls() - before;
  };
  let running: RunningServer;
  let id: string;
  beforeAll(async () => {
    const routes = queueRoutes(setup.queue, {
      auth: { tokens: [ADMIN] },
      sse: { pollMs: { min: 10, max: 10 } },
    });
    const app = new Hono().route("/queue", routes);
    running = await serve({ fetch: app.fetch, queue: setup.queue, port: 0, signals: false });
    id = await setup.queue.enqueue("t", {});
  });
  afterAll(async () => running?.close());

  it("HEAD answers the stream's headers and leaves nothing polling", async () => {
    const res = await fetch(`${running.url}/queue/jobs/${id}/events`, {
      method: "HEAD",
      headers: auth,
    });
    expect(res.status).toBe(200);
    await pause(50);
    expect(await callsDuring(300)).toBe(0);
  });

  it("a client that aborts its request stops the stream's polling", async () => {
    const connection = new AbortController();
    const res = await fetch(`${running.url}/queue/jobs/${id}/events`, {
      headers: auth,
      signal: connection.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes("event: snapshot")) {
      text += new TextDecoder().decode((await reader.read()).value);
    }
    expect(await callsDuring(100)).toBeGreaterThan(0);
    connection.abort();
    await pause(200);
    expect(await callsDuring(300)).toBe(0);
  });
});
