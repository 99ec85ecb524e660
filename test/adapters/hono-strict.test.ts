/** Strict query parsing, bounded backoff, and API answers that no cache keeps. */
import { describe, expect, it } from "vitest";
import { routesApp } from "../support/routes-app.js";

describe("query parameters", () => {
  it("refuse anything but plain decimal integers", async () => {
    const app = routesApp();
    const { id } = await (await app.postJson("/jobs", { type: "echo" })).json();
    for (const waitMs of ["0x10", "1e3", " 5", "5.0", "-1", "Infinity", "NaN"]) {
      const res = await app.asAdmin(`/jobs/${id}/result?waitMs=${encodeURIComponent(waitMs)}`);
      expect(res.status, waitMs).toBe(400);
    }
    for (const limit of ["0x10", "1e1", "+5"]) {
      const res = await app.asAdmin(`/jobs?limit=${encodeURIComponent(limit)}`);
      expect(res.status, limit).toBe(400);
    }
    expect((await app.asAdmin(`/jobs/${id}/result?waitMs=0`)).status).toBe(202);
  });

  it("refuse a list cursor that is not one the API gave", async () => {
    const app = routesApp();
    for (let i = 0; i < 3; i++) await app.postJson("/jobs", { type: "echo" });
    for (const cursor of ["abc", "NaN", "-1", "Infinity", "1.5", "0x1"]) {
      const res = await app.asAdmin(`/jobs?cursor=${encodeURIComponent(cursor)}`);
      expect(res.status, cursor).toBe(400);
      expect((await res.json()).error.field).toBe("cursor");
    }
    const first = await (await app.asAdmin("/jobs?limit=2")).json();
    expect(first.cursor).toMatch(/^\d+$/);
    const next = await app.asAdmin(`/jobs?limit=2&cursor=${first.cursor}`);
    expect((await next.json()).jobs).toHaveLength(1);
  });
});

describe("backoff", () => {
  it("refuses delays past 30 days at enqueue", async () => {
    const app = routesApp();
    for (const backoff of [{ delayMs: 1e308 }, { maxDelayMs: 31 * 86_400_000 }]) {
      const res = await app.postJson("/jobs", { type: "echo", backoff });
      expect(res.status).toBe(422);
      expect((await res.json()).error.field).toMatch(/^backoff\./);
    }
    await expect(app.queue.enqueue("echo", {}, { backoff: { delayMs: 1e308 } })).rejects.toThrow(
      /backoff\.delayMs/,
    );
    const ok = await app.postJson("/jobs", {
      type: "echo",
      backoff: { maxDelayMs: 30 * 86_400_000 },
    });
    expect(ok.status).toBe(201);
  });
});

describe("Cache-Control", () => {
  it("is no-store on API answers, errors included", async () => {
    const app = routesApp();
    const created = await app.postJson("/jobs", { type: "echo" });
    expect(created.headers.get("cache-control")).toBe("no-store");
    const { id, streamToken } = await created.json();
    for (const res of [
      await app.request(`/jobs/${id}?token=${streamToken}`),
      await app.asAdmin("/stats"),
      await app.asAdmin("/jobs"),
      await app.request("/stats"),
      await app.asAdmin("/nope"),
    ]) {
      expect(res.headers.get("cache-control"), res.url).toBe("no-store");
    }
  });
});
