import { join } from "node:path";
import { EdgeRuntime } from "edge-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstashRestServer } from "../../devtools/upstash-rest-server.js";
import { buildEdgeRoute } from "../support/build-edge.js";
import { startHranaServer } from "../support/hrana-server.js";
import { redisUrl } from "../support/redis-clients.js";
import { collectEvents, readSse } from "../support/sse-client.js";
import { tempDir } from "../support/temp-dir.js";
import { unreachableStores } from "../support/unreachable.js";

const secrets = {
  API_TOKEN: "edge-api-token-0123456789",
  STREAM_SECRET: "edge-stream-secret-0123456789",
  CRON_SECRET: "edge-cron-secret-0123456789",
};
const admin = { authorization: `Bearer ${secrets.API_TOKEN}` };
const cron = { authorization: `Bearer ${secrets.CRON_SECRET}`, "user-agent": "vercel-cron/1.0" };

const stores: Array<
  [string, () => Promise<{ env: Record<string, string>; close(): Promise<void> }>]
> = [
  [
    "Upstash REST → redis-server",
    async () => {
      const endpoint = await startUpstashRestServer({ redisUrl, token: "edge-redis-token" });
      return {
        env: { UPSTASH_REDIS_REST_URL: endpoint.url, UPSTASH_REDIS_REST_TOKEN: endpoint.token },
        close: () => endpoint.close(),
      };
    },
  ],
  [
    "libSQL over HTTP (Hrana)",
    async () => {
      const dir = tempDir();
      const server = await startHranaServer({ path: join(dir.path, "edge.db") });
      return {
        env: { LIBSQL_URL: server.url },
        close: async () => {
          await server.close();
          dir.remove();
        },
      };
    },
  ],
];

describe.skipIf(!redisUrl).each(stores)(
  "the Vercel Edge route in edge-runtime, on %s",
  (_, open) => {
    let runtime: EdgeRuntime;
    let store: Awaited<ReturnType<(typeof stores)[number][1]>>;
    const call = async (path: string, init?: RequestInit) => {
      const res = await runtime.dispatchFetch(`http://vercel.local/api/queue${path}`, init);
      return res as unknown as Response & { waitUntil(): Promise<unknown> };
    };

    beforeAll(async () => {
      store = await open();
      const env = { ...secrets, ...store.env, KICK: "false" };
      runtime = new EdgeRuntime({ initialCode: await buildEdgeRoute(env) });
    }, 60_000);
    afterAll(async () => store?.close());

    it("enqueues, runs the job on the authorised cron call, and streams it with a reconnect", async () => {
      const created = await call("/jobs", {
        method: "POST",
        headers: { ...admin, "content-type": "application/json" },
        body: JSON.stringify({ type: "count-words", payload: { text: "x y x" }, delayMs: 0 }),
      });
      expect(created.status).toBe(201);
      const { id, streamUrl } = (await created.json()) as { id: string; streamUrl: string };

      let lastSeen = "";
      for await (const item of readSse(await call(streamUrl.replace("/api/queue", "")))) {
        if (item.kind !== "event") continue;
        lastSeen = item.id ?? "";
        break; // disconnect after the snapshot
      }
      const refused = await call("/cron");
      expect(refused.status).toBe(401);
      const wrong = await call("/cron", {
        headers: { authorization: "Bearer not-the-cron-secret" },
      });
      expect(wrong.status).toBe(401);
      const tick = await call("/cron", { headers: cron });
      expect(tick.status).toBe(200);
      expect(await tick.json()).toMatchObject({ claimed: 1, completed: 1, stoppedBy: "empty" });

      const rest = await collectEvents(
        await call(streamUrl.replace("/api/queue", ""), { headers: { "last-event-id": lastSeen } }),
      );
      const ids = rest.map((e) => Number(e.id));
      expect(ids).toEqual(ids.map((__, i) => Number(lastSeen) + 1 + i));
      const status = await call(`/jobs/${id}`, { headers: admin });
      const job = (await status.json()) as { state: string; result: unknown };
      expect(job).toMatchObject({ state: "completed", result: { words: 3, distinct: 2 } });
      expect(rest[0]?.event).toBe("active");
      expect(rest.at(-1)?.event).toBe("completed");
      console.log(
        `edge-runtime flow (${_}): snapshot ${lastSeen}, then ${rest.map((e) => `${e.id}:${e.event}`).join(" ")}`,
      );
    });

    it("with waitUntil from @vercel/functions, an enqueue kicks a drain after the response", async () => {
      const kicking = new EdgeRuntime({
        initialCode: await buildEdgeRoute({ ...secrets, ...store.env }),
      });
      const res = (await kicking.dispatchFetch("http://vercel.local/api/queue/jobs", {
        method: "POST",
        headers: { ...admin, "content-type": "application/json" },
        body: JSON.stringify({ type: "slugify", payload: { title: "Kick it, now!" } }),
      })) as unknown as Response & { waitUntil(): Promise<unknown> };
      const { id } = (await res.json()) as { id: string };
      await res.waitUntil(); // what Vercel keeps alive after the response
      const status = await kicking.dispatchFetch(`http://vercel.local/api/queue/jobs/${id}`, {
        headers: admin,
      });
      expect(await status.json()).toMatchObject({
        state: "completed",
        result: { slug: "kick-it-now" },
      });
    });
  },
);

describe("the Vercel Edge route in edge-runtime, with its store unreachable", () => {
  it("answers 503 BACKEND_UNAVAILABLE with Retry-After on every backend and outage", async () => {
    const outcomes = await Promise.all(
      (await unreachableStores()).map(async ([name, env]) => {
        const runtime = new EdgeRuntime({
          initialCode: await buildEdgeRoute({ ...secrets, ...env, KICK: "false" }),
        });
        const res = (await runtime.dispatchFetch("http://vercel.local/api/queue/jobs", {
          method: "POST",
          headers: { ...admin, "content-type": "application/json" },
          body: JSON.stringify({ type: "count-words", payload: { text: "secret-payload" } }),
        })) as unknown as Response;
        const body = await res.text();
        return { name, status: res.status, retryAfter: res.headers.get("retry-after"), body };
      }),
    );
    for (const outcome of outcomes) {
      expect(outcome, outcome.name).toMatchObject({ status: 503, retryAfter: "5" });
      expect(JSON.parse(outcome.body).error.code, outcome.name).toBe("BACKEND_UNAVAILABLE");
      expect(outcome.body, outcome.name).not.toContain("secret-payload");
    }
  }, 60_000);
});
