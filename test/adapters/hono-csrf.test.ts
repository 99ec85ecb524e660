/** Cookie-authorized callers: a cross-site page cannot change state; `authorize` must say `true`. */
import { describe, expect, it } from "vitest";
import type { AuthOptions } from "../../adapters/hono.js";
import { ADMIN, CRON, routesApp } from "../support/routes-app.js";

const COOKIE = "session=ok";
const viaCookie: AuthOptions = {
  tokens: [ADMIN],
  authorize: (c) => c.req.header("cookie") === COOKIE,
};

async function cookieApp() {
  const app = routesApp({ auth: viaCookie });
  return { ...app, id: await app.queue.enqueue("echo", { n: 1 }) };
}

const send = (
  app: Awaited<ReturnType<typeof cookieApp>>,
  path: string,
  headers = {},
  method = "POST",
) => app.request(path, { method, headers: { cookie: COOKIE, ...headers } });

describe("cross-site requests (CSRF)", () => {
  it("refuse a cross-site POST by Sec-Fetch-Site or Origin, and allow a same-origin one", async () => {
    const app = await cookieApp();
    const cancel = `/jobs/${app.id}/cancel`;
    const bySite = await send(app, cancel, { "sec-fetch-site": "cross-site" });
    expect(bySite.status).toBe(403);
    expect((await bySite.json()).error.code).toBe("CROSS_SITE");
    expect((await send(app, cancel, { "sec-fetch-site": "same-site" })).status).toBe(403);
    expect((await send(app, cancel, { origin: "https://evil.example" })).status).toBe(403);
    expect((await send(app, cancel, { origin: "null" })).status).toBe(403);
    expect((await app.queue.get(app.id))?.state).toBe("queued");
    const purge = await send(
      app,
      "/jobs?state=queued",
      { "sec-fetch-site": "cross-site" },
      "DELETE",
    );
    expect(purge.status).toBe(403);
    const put = await app.request("/schedules/nightly", {
      method: "PUT",
      headers: { cookie: COOKIE, "sec-fetch-site": "cross-site", "content-type": "text/plain" },
      body: JSON.stringify({ cron: "0 3 * * *", type: "echo" }),
    });
    expect(put.status).toBe(403);
    expect(await app.queue.schedules()).toEqual([]);
    const same = await send(app, cancel, { "sec-fetch-site": "same-origin" });
    expect(same.status).toBe(200);
    expect((await app.queue.get(app.id))?.state).toBe("cancelled");
  });

  it("allow a same-origin Origin and non-browser clients (no browser headers) to POST", async () => {
    const app = await cookieApp();
    expect((await send(app, `/jobs/${app.id}/cancel`, { origin: "http://localhost" })).status).toBe(
      200,
    );
    const other = await app.queue.enqueue("echo", {});
    expect((await send(app, `/jobs/${other}/cancel`)).status).toBe(200);
  });

  it("never refuse a bearer token: a cross-site page cannot send one", async () => {
    const app = await cookieApp();
    const res = await app.request(`/jobs/${app.id}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "sec-fetch-site": "cross-site" },
    });
    expect(res.status).toBe(200);
  });

  it("GET /cron drains for a cookie caller only from the same origin", async () => {
    const app = await cookieApp();
    expect((await send(app, "/cron", {}, "GET")).status).toBe(403); // an <img> in an old browser
    expect((await send(app, "/cron", { "sec-fetch-site": "cross-site" }, "GET")).status).toBe(403);
    expect((await send(app, "/cron", { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await app.queue.get(app.id))?.state).toBe("queued");
    expect((await send(app, "/cron", { "sec-fetch-site": "same-origin" }, "GET")).status).toBe(200);
    const bySecret = await app.request("/cron", {
      headers: { authorization: `Bearer ${CRON}`, "sec-fetch-site": "cross-site" },
    });
    expect(bySecret.status).toBe(200);
  });
});

describe("origins the cors option trusts with credentials", () => {
  it("may change state with cookies; others, and cors without credentials, may not", async () => {
    const cors = { origin: ["https://app.example"], credentials: true };
    const app = routesApp({ auth: viaCookie, cors });
    const id = await app.queue.enqueue("echo", {});
    const from = (origin: string) =>
      app.request(`/jobs/${id}/cancel`, {
        method: "POST",
        headers: { cookie: COOKIE, origin, "sec-fetch-site": "cross-site" },
      });
    expect((await from("https://evil.example")).status).toBe(403);
    expect((await from("https://app.example")).status).toBe(200);
    const noCredentials = routesApp({ auth: viaCookie, cors: { origin: "https://app.example" } });
    const other = await noCredentials.queue.enqueue("echo", {});
    const res = await noCredentials.request(`/jobs/${other}/cancel`, {
      method: "POST",
      headers: { cookie: COOKIE, origin: "https://app.example", "sec-fetch-site": "cross-site" },
    });
    expect(res.status).toBe(403);
  });
});

describe("authorize", () => {
  it("grants access only when it returns true, not a truthy value", async () => {
    const app = routesApp({ auth: { authorize: () => "yes" as unknown as boolean } });
    expect((await app.request("/stats")).status).toBe(401);
    const yes = routesApp({ auth: { authorize: async () => true } });
    expect((await yes.request("/stats")).status).toBe(200);
  });
});
