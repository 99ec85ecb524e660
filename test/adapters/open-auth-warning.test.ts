/** `auth: false` opens every route: said once, when the routes first serve. */
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { queueRoutes } from "../../adapters/hono.js";
import { memoryQueue } from "../support/memory-queue.js";
import { ADMIN } from "../support/routes-app.js";

describe("auth: false", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("warns once, naming the risk, at the first request; building the routes logs nothing", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { queue } = memoryQueue();
    const app = new Hono().route("/q", queueRoutes(queue, { auth: false, streamSecret: false }));
    expect(warn).not.toHaveBeenCalled();
    for (let i = 0; i < 3; i++) expect((await app.request("/q/stats")).status).toBe(200);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/auth: false.*open/);
  });

  it("says nothing when routes have auth", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { queue } = memoryQueue();
    const app = new Hono().route(
      "/q",
      queueRoutes(queue, { auth: { tokens: [ADMIN] }, streamSecret: false }),
    );
    await app.request("/q/stats");
    expect(warn).not.toHaveBeenCalled();
  });
});
