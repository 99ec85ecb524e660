/**
 * No store call outlives its connection in the Worker runtimes either: `HEAD` on a stream
 * starts no poller, and a stream whose reader leaves stops polling (workerd, behind miniflare's
 * proxy, hears of it within a second or two). The adapters run over a
 * counted in-memory queue (`fixtures/counted-queue.ts`), polling every 10 ms, so a poller
 * left behind shows within a few hundred milliseconds.
 */
import { join } from "node:path";
import { EdgeRuntime } from "edge-runtime";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEdgeRoute } from "../support/build-edge.js";
import {
  type BundledScript,
  bundleWorkerModule,
  moduleOptions,
} from "../support/build-worker-module.js";
import { API_TOKEN } from "./fixtures/counted-queue.js";

const fixtures = new URL("./fixtures/", import.meta.url).pathname;
const admin = { authorization: `Bearer ${API_TOKEN}` };
type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Store calls made over `ms` of quiet. */
async function callsDuring(fetch: Fetch, ms: number): Promise<number> {
  const count = async () => ((await (await fetch("/__calls")).json()) as { calls: number }).calls;
  const before = await count();
  await pause(ms);
  return (await count()) - before;
}

/**
 * The checks, against one runtime's fetch (paths relative to the routes' mount point).
 * `noticeMs`: how long the runtime may take to hear that a reader left.
 */
function streamsEnd(fetchAt: () => { api: Fetch; root: Fetch }, noticeMs: number) {
  let id: string;
  beforeAll(async () => {
    const created = await fetchAt().api("/jobs", {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ type: "t" }),
    });
    expect(created.status).toBe(201);
    ({ id } = (await created.json()) as { id: string });
  });

  it("HEAD on a stream answers its headers and leaves nothing polling", async () => {
    const { api, root } = fetchAt();
    const head = await api(`/jobs/${id}/events`, { method: "HEAD", headers: admin });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    await pause(50);
    expect(await callsDuring(root, 300)).toBe(0);
  });

  it("a stream whose reader leaves stops polling", async () => {
    const { api, root } = fetchAt();
    const res = await api(`/jobs/${id}/events`, { headers: admin });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes("event: snapshot"))
      text += new TextDecoder().decode((await reader.read()).value);
    expect(await callsDuring(root, 100)).toBeGreaterThan(0); // it polls while read
    await reader.cancel();
    await pause(noticeMs);
    expect(await callsDuring(root, 300)).toBe(0);
  });
}

describe("in workerd (the Cloudflare adapter)", () => {
  let mf: Miniflare;
  let script: BundledScript;
  beforeAll(async () => {
    script = await bundleWorkerModule(join(fixtures, "counted-worker.ts"));
    mf = new Miniflare(moduleOptions(script));
  }, 60_000);
  afterAll(async () => {
    await mf?.dispose();
    script?.remove();
  });
  const fetchIn =
    (prefix: string): Fetch =>
    async (path, init) =>
      (await mf.dispatchFetch(`http://worker${prefix}${path}`, init as never)) as never;
  streamsEnd(() => ({ api: fetchIn("/queue"), root: fetchIn("") }), 2_000);
});

describe("in edge-runtime (the Vercel adapter)", () => {
  let runtime: EdgeRuntime;
  beforeAll(async () => {
    const code = await buildEdgeRoute({}, join(fixtures, "counted-route.ts"));
    runtime = new EdgeRuntime({ initialCode: code });
  }, 60_000);
  const fetchIn =
    (prefix: string): Fetch =>
    async (path, init) =>
      (await runtime.dispatchFetch(`http://vercel.local${prefix}${path}`, init)) as never;
  streamsEnd(() => ({ api: fetchIn("/api/queue"), root: fetchIn("") }), 100);
});
