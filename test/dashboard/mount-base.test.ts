/**
 * The dashboard's and the API's own URLs come from the matched mount, never from raw path
 * text: a backslash or an encoded slash in a parameter of the mount cannot point the page at
 * another host, and a file name like `__proto__` is just not found.
 */
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { dashboard } from "../../adapters/dashboard.js";
import { queueRoutes } from "../../adapters/hono.js";
import { memoryQueue } from "../support/memory-queue.js";
import { ADMIN } from "../support/routes-app.js";

function tenantApp() {
  const { queue } = memoryQueue();
  const routes = queueRoutes(queue, { auth: { tokens: [ADMIN] }, dashboard: dashboard() });
  return { queue, app: new Hono().route("/:tenant/queue", routes) };
}

const assetUrls = (html: string) =>
  [...html.matchAll(/(?:src|href|data-base)="([^"]*)"/g)].map(([, url]) => url as string);

describe("a parameterised mount", () => {
  it("builds the page's URLs from the mount pattern with its parameter", async () => {
    const { app } = tenantApp();
    const html = await (await app.request("/acme/queue/dashboard")).text();
    expect(html).toContain('data-base="/acme/queue"');
    for (const url of assetUrls(html).filter((u) => u.startsWith("/"))) {
      expect(url.startsWith("/acme/queue")).toBe(true);
    }
  });

  it("never lets the path name another host: backslashes refused, slashes encoded", async () => {
    const { app } = tenantApp();
    for (const path of ["/%5Cevil.example/queue/dashboard", "/a%5cb/queue/dashboard"]) {
      expect((await app.request(path)).status, path).toBe(404);
    }
    const res = await app.request("/%2F%2Fevil.example/queue/dashboard");
    const html = await res.text();
    for (const url of assetUrls(html)) {
      expect(url, url).not.toMatch(/^(\/\/|\/\\|\\|\/%2F%2F(?!evil))/i);
      if (url.startsWith("/"))
        expect(new URL(url, "https://queue.example").host).toBe("queue.example");
    }
  });

  it("gives job links under the mount, the parameter encoded", async () => {
    const { app } = tenantApp();
    const res = await app.request("/a%2F%2Fb/queue/jobs", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "t" }),
    });
    expect(res.status).toBe(201);
    const { links } = await res.json();
    expect(links.self.startsWith("/a%2F%2Fb/queue/jobs/")).toBe(true);
    expect(res.headers.get("location")).toBe(links.self);
    const evil = await app.request("/%5Cevil.example/queue/jobs", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "t" }),
    });
    expect(evil.status).toBe(404);
    expect(evil.headers.get("location")).toBeNull();
  });
});

describe("GET <base>/dashboard/<name>", () => {
  it("answers 404, not 500, for names of Object.prototype", async () => {
    const { app } = tenantApp();
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const res = await app.request(`/acme/queue/dashboard/${name}`);
      expect(res.status, name).toBe(404);
    }
  });
});
