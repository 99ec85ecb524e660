/**
 * The dashboard's routes, without a browser: the page and its assets, their headers (CSP,
 * nosniff, no referrer, caching), its size, and that everything with data needs the token.
 */
import { gzipSync } from "node:zlib";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { dashboard } from "../../adapters/dashboard.js";
import { queueRoutes } from "../../adapters/hono.js";
import { DASHBOARD_ASSETS } from "../../adapters/http/dashboard-assets.generated.js";
import { DASHBOARD_CSP } from "../../adapters/http/routes-dashboard.js";
import { demoApp } from "../../examples/node/app.js";
import { Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";
import { ADMIN, routesApp } from "../support/routes-app.js";

/** The target of issue 14: page, script and stylesheet, gzip, at most 30 KB. */
const MAX_GZIP_BYTES = 30 * 1024;

const assetPaths = (html: string) =>
  [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map(([, path]) => path as string);

describe("GET <base>/dashboard", () => {
  const { request } = routesApp({ dashboard: dashboard() });

  it("serves the page, public, with a strict CSP and safe headers", async () => {
    const response = await request("/dashboard");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toBe(DASHBOARD_CSP);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const html = await response.text();
    expect(html).toContain('data-base="/queue"');
    expect(html).toContain('data-poll-ms="5000"');
    // Nothing inline for the CSP to allow: one external script, one stylesheet, no style attributes.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).toMatch(/<script type="module" src="\/queue\/dashboard\/app\.[0-9a-f]{12}\.js">/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/);
    expect(assetPaths(html)).toEqual([
      `/queue/dashboard/${DASHBOARD_ASSETS.style.name}`,
      `/queue/dashboard/${DASHBOARD_ASSETS.script.name}`,
    ]);
  });

  it("serves its script and stylesheet by content hash, cached for good", async () => {
    const html = await (await request("/dashboard/")).text(); // with a trailing slash too
    for (const path of assetPaths(html)) {
      const response = await request(path.replace("/queue", ""));
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toMatch(
        /^text\/(javascript|css); charset=utf-8$/,
      );
      expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect((await response.text()).length).toBeGreaterThan(1_000);
    }
    const unknown = await request("/dashboard/app.000000000000.js");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({
      error: { code: "NOT_FOUND", message: "no such route" },
    });
  });

  it(`is at most ${MAX_GZIP_BYTES} bytes gzip, script and stylesheet included`, async () => {
    const page = await (await request("/dashboard")).text();
    const parts = [page, DASHBOARD_ASSETS.script.body, DASHBOARD_ASSETS.style.body];
    const [html = 0, js = 0, css = 0] = parts.map((part) => gzipSync(part).length);
    console.log(
      `dashboard: ${html + js + css} bytes gzip (page ${html}, script ${js}, stylesheet ${css}); ` +
        `${parts.reduce((sum, part) => sum + part.length, 0)} bytes raw`,
    );
    expect(html + js + css).toBeLessThanOrEqual(MAX_GZIP_BYTES);
    expect(DASHBOARD_ASSETS.script.body).toContain("QueueClientError"); // the package's client
    expect(DASHBOARD_ASSETS.script.body).not.toMatch(/\bnode:|innerHTML|insertAdjacentHTML|eval\(/);
  });

  it("answers other methods with 405", async () => {
    const response = await request("/dashboard", { method: "POST" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
  });

  it("leaves every data route to the token: 401 without it", async () => {
    const paths = ["/stats", "/jobs?state=failed", "/jobs/some-id", "/jobs/some-id/events"];
    for (const path of paths) {
      const response = await request(path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
    }
    for (const [method, path] of [
      ["POST", "/jobs/some-id/retry"],
      ["POST", "/jobs/some-id/cancel"],
      ["DELETE", "/jobs?state=failed"],
    ] as const) {
      expect((await request(path, { method })).status, `${method} ${path}`).toBe(401);
    }
  });
});

describe("dashboard options", () => {
  it("is off by default: the path is the API's JSON 404", async () => {
    const { request } = routesApp();
    const response = await request("/dashboard");
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("takes the mount point from the request and pollMs from the options", async () => {
    const { queue } = memoryQueue();
    const routes = queueRoutes(queue, {
      auth: { tokens: [ADMIN] },
      dashboard: dashboard({ pollMs: 2_000 }),
    });
    const app = new Hono().route("/api/queue", routes);
    const html = await (await app.request("/api/queue/dashboard")).text();
    expect(html).toContain('data-base="/api/queue"');
    expect(html).toContain('data-poll-ms="2000"');
    expect(html).toContain(`src="/api/queue/dashboard/${DASHBOARD_ASSETS.script.name}"`);
  });

  it("refuses a pollMs under a second at startup, naming the option", () => {
    expect(() => dashboard({ pollMs: 100 })).toThrow(/dashboard\.pollMs/);
  });

  it("refuses `dashboard: true` (the option before its own entry) at startup, saying what to import", () => {
    const { queue } = memoryQueue();
    const old = { dashboard: true } as unknown as { dashboard: undefined };
    expect(() => queueRoutes(queue, { auth: false, ...old })).toThrow(
      expect.objectContaining({ code: "VALIDATION", field: "dashboard" }),
    );
    expect(() => queueRoutes(queue, { auth: false, ...old })).toThrow(
      /import \{ dashboard \} from "jdobb-async-queue\/dashboard"/,
    );
  });
});

describe("the Node demo (npm start)", () => {
  it("serves the dashboard at /queue/dashboard and links to it from /", async () => {
    const { queue } = memoryQueue();
    const app = demoApp({ queue, worker: new Worker(queue), token: ADMIN });
    expect(await (await app.request("/")).text()).toContain('href="/queue/dashboard"');
    const page = await app.request("/queue/dashboard");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe(DASHBOARD_CSP);
  });
});
