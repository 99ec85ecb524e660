/**
 * The client inside workerd (miniflare): a tiny Worker, bundled with the Workers conditions,
 * follows a job through the client against the Node test server on 127.0.0.1, whose streams
 * end every 300 ms, and answers with the sequence numbers it saw.
 */
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/index.js";
import { bundleClient } from "../support/build-client.js";
import {
  ADMIN,
  consecutive,
  startTestServer,
  type TestJobs,
  type TestServer,
} from "../support/client-server.js";
import { closedPort } from "../support/unreachable.js";

const WORKER = `
import { createClient, QueueClientError } from "client";
export default {
  async fetch(request) {
    const { baseUrl, id, token, retryMs } = await request.json();
    const client = createClient({ baseUrl });
    const seqs = [];
    let last = null;
    try {
      for await (const update of client.events(id, { token, retryMs })) {
        seqs.push(update.seq);
        last = update;
      }
      return Response.json({ seqs, state: last?.state, result: last?.result });
    } catch (error) {
      if (!(error instanceof QueueClientError)) throw error;
      return Response.json({ seqs, error: { code: error.code, status: error.status } });
    }
  },
};`;

describe("the client in workerd", () => {
  let server: TestServer;
  let mf: Miniflare;
  beforeAll(async () => {
    server = await startTestServer({ sse: { maxStreamMs: 300, retryMs: 20, heartbeatMs: 100 } });
    const script = await bundleClient({
      worker: WORKER,
      conditions: ["workerd", "worker", "browser"],
    });
    mf = new Miniflare({ modules: true, script, compatibilityDate: "2026-04-20" });
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
    await server?.close();
  });

  it("follows a job across stream ends with a stream token: no gap, no repeat", async () => {
    const admin = createClient<TestJobs>({ baseUrl: server.url, token: ADMIN });
    const { id, streamToken } = await admin.enqueue("steps", { n: 40, everyMs: 20 });
    const before = server.requests.events;
    const answer = await mf.dispatchFetch("http://worker/", {
      method: "POST",
      body: JSON.stringify({ baseUrl: server.url, id, token: streamToken }),
    });
    const { seqs, state, result } = (await answer.json()) as {
      seqs: number[];
      state: string;
      result: unknown;
    };
    console.log(
      `workerd: seqs ${seqs[0]}..${seqs.at(-1)} over ${server.requests.events - before} connections`,
    );
    expect(server.requests.events - before).toBeGreaterThanOrEqual(2);
    expect(consecutive(seqs)).toBe(true);
    expect(seqs.at(-1)).toBe(43); // enqueued, active, 40 progress, completed
    expect({ state, result }).toEqual({ state: "completed", result: { steps: 40 } });
  });

  it("reports a refused connection as NETWORK after its tries", async () => {
    const answer = await mf.dispatchFetch("http://worker/", {
      method: "POST",
      body: JSON.stringify({
        baseUrl: `http://127.0.0.1:${await closedPort()}/queue`,
        id: "j",
        retryMs: 5,
      }),
    });
    expect(await answer.json()).toEqual({ seqs: [], error: { code: "NETWORK", status: 0 } });
  });
});
