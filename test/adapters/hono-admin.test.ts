import { afterEach, describe, expect, it, vi } from "vitest";
import type { Job } from "../../src/index.js";
import { ADMIN, CRON, routesApp } from "../support/routes-app.js";

async function enqueue(app: ReturnType<typeof routesApp>, body: object = { type: "echo" }) {
  return ((await (await app.postJson("/jobs", body)).json()) as { id: string }).id;
}

describe("job routes", () => {
  it("GET /jobs/:id/result waits for the outcome, or answers 202 when the wait runs out", async () => {
    const app = routesApp();
    const id = await enqueue(app, { type: "echo", payload: { n: 7 } });
    const pending = await app.asAdmin(`/jobs/${id}/result?waitMs=0`);
    expect(pending.status).toBe(202);
    expect((await pending.json()).state).toBe("queued");
    const waiting = app.asAdmin(`/jobs/${id}/result?waitMs=10000`);
    await app.worker.drain({ budgetMs: 5_000 });
    const done = await waiting;
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      id,
      state: "completed",
      result: { echoed: { n: 7 } },
    });
    const timedOut = app.asAdmin(`/jobs/${await enqueue(app)}/result?waitMs=3000`);
    await app.clock.untilSleeping(2);
    await app.clock.advance(3_000);
    expect((await timedOut).status).toBe(202);
    expect((await app.asAdmin(`/jobs/${id}/result?waitMs=999999`)).status).toBe(400);
  });

  it("cancels and redrives, with 404 and 409 where they do not apply", async () => {
    const app = routesApp();
    const id = await enqueue(app, { type: "echo", maxAttempts: 1 });
    expect((await app.asAdmin("/jobs/nope/cancel", { method: "POST" })).status).toBe(404);
    const conflict = await app.asAdmin(`/jobs/${id}/retry`, { method: "POST" });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).error.code).toBe("INVALID_STATE");
    await app.queue.fail((await app.queue.claim()) as Job, new Error("boom"));
    const redriven = await app.asAdmin(`/jobs/${id}/retry`, { method: "POST" });
    expect(await redriven.json()).toEqual({ id, state: "queued" });
    const cancel = await app.asAdmin(`/jobs/${id}/cancel`, { method: "POST" });
    expect(await cancel.json()).toEqual({ id, cancelled: true });
    expect(await (await app.asAdmin(`/jobs/${id}/cancel`, { method: "POST" })).json()).toEqual({
      id,
      cancelled: false,
    });
    expect((await app.asAdmin("/jobs/nope")).status).toBe(404);
  });

  it("never repeats a job id in an error", async () => {
    const app = routesApp();
    const id = await enqueue(app);
    const missing = await app.asAdmin("/jobs/ECHOED-id");
    expect(await missing.json()).toEqual({
      error: { code: "JOB_NOT_FOUND", message: "job not found" },
    });
    const cancel = await app.asAdmin("/jobs/ECHOED-id/cancel", { method: "POST" });
    expect(await cancel.text()).not.toContain("ECHOED");
    const conflict = await app.asAdmin(`/jobs/${id}/retry`, { method: "POST" });
    expect(conflict.status).toBe(409);
    const text = await conflict.text();
    expect(text).not.toContain(id);
    expect(JSON.parse(text).error.code).toBe("INVALID_STATE");
  });

  it("lists, counts and purges; bad query parameters are 400", async () => {
    const app = routesApp();
    const ids = [await enqueue(app), await enqueue(app), await enqueue(app)];
    await app.queue.complete((await app.queue.claim()) as Job, "x");
    const page = await (await app.asAdmin("/jobs?state=queued&limit=1")).json();
    expect(page.jobs.map((j: { id: string }) => j.id)).toEqual([ids[1]]);
    const next = await (
      await app.asAdmin(`/jobs?state=queued&limit=1&cursor=${page.cursor}`)
    ).json();
    expect(next).toMatchObject({ jobs: [{ id: ids[2], payload: null }], cursor: null });
    expect(await (await app.asAdmin("/stats")).json()).toEqual({
      queued: 2,
      active: 0,
      completed: 1,
      failed: 0,
      cancelled: 0,
    });
    expect((await app.asAdmin("/jobs?state=bogus")).status).toBe(400);
    expect((await app.asAdmin("/jobs?limit=0")).status).toBe(400);
    expect((await app.asAdmin("/jobs", { method: "DELETE" })).status).toBe(400);
    const purged = await app.asAdmin("/jobs?state=completed", { method: "DELETE" });
    expect(await purged.json()).toEqual({ purged: 1 });
    expect((await app.request("/stats")).status).toBe(401);
    expect((await app.asAdmin("/nowhere")).status).toBe(404);
  });
});

describe("unmatched requests under the mount point", () => {
  it.each([
    ["GET", "/nope", 404, null],
    ["GET", "/jobs/x/nope", 404, null],
    ["PUT", "/jobs", 405, "DELETE, GET, HEAD, POST"],
    ["POST", "/stats", 405, "GET, HEAD"],
    ["DELETE", "/jobs/x", 405, "GET, HEAD"],
    ["GET", "/jobs/x/cancel", 405, "POST"],
    ["PATCH", "/cron", 405, "GET, HEAD, POST"],
  ])("%s %s is a JSON %i", async (method, path, status, allow) => {
    const app = routesApp();
    const res = await app.asAdmin(path, { method });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("allow")).toBe(allow);
    expect((await res.json()).error.code).toBe(status === 404 ? "NOT_FOUND" : "METHOD_NOT_ALLOWED");
  });

  it("still answers CORS preflights", async () => {
    const { request } = routesApp({ cors: { origin: "https://app.example" } });
    const res = await request("/jobs", {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });
});

describe("a 500", () => {
  afterEach(() => vi.restoreAllMocks());

  it("logs one line: error class and code, method, route pattern, job id; no payload or message", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const app = routesApp();
    // What an ioredis error looks like: the message and `command` carry the payload.
    const storeError = Object.assign(new Error('ERR … "SECRET-payload"', { cause: "SECRET" }), {
      code: "ERR_STORE",
      command: { name: "evalsha", args: ["SECRET-payload"] },
    });
    vi.spyOn(app.queue, "get").mockRejectedValue(storeError);
    const res = await app.asAdmin("/jobs/job-42");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "INTERNAL", message: "internal error" } });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0]).toEqual([
      'jdobb-async-queue: internal error in GET /queue/jobs/:id job="job-42" error=Error code="ERR_STORE"',
    ]);
    vi.spyOn(app.queue, "enqueueMany").mockRejectedValue(new TypeError("SECRET"));
    expect((await app.postJson("/jobs", { type: "echo", payload: "SECRET" })).status).toBe(500);
    expect(logged.mock.calls[1]).toEqual([
      "jdobb-async-queue: internal error in POST /queue/jobs error=TypeError",
    ]);
  });
});

describe("cron route", () => {
  it("drains the queue for the cron secret or an admin, and refuses anyone else", async () => {
    const app = routesApp();
    await enqueue(app);
    await enqueue(app);
    expect((await app.request("/cron")).status).toBe(401);
    expect(
      (await app.request("/cron", { headers: { authorization: "Bearer wrong-wrong-wrong-x" } }))
        .status,
    ).toBe(401);
    expect(await app.totalJobs()).toBe(2);
    expect((await app.queue.stats()).queued).toBe(2);
    const res = await app.request("/cron", {
      headers: { authorization: `Bearer ${CRON}`, "user-agent": "vercel-cron/1.0" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ claimed: 2, completed: 2, stoppedBy: "empty" });
    const byAdmin = await app.request("/cron", {
      method: "POST",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    expect(await byAdmin.json()).toMatchObject({ claimed: 0 });
  });

  it("does not exist without a worker", async () => {
    const app = routesApp({ worker: undefined });
    expect((await app.asAdmin("/cron")).status).toBe(404);
  });
});
