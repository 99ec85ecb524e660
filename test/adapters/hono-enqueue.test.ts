import { Hono } from "hono";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { queueRoutes } from "../../adapters/hono.js";
import { libsqlBackend } from "../../src/backends/libsql/index.js";
import { JobQueue } from "../../src/index.js";
import { MAX_JSON_DEPTH } from "../../src/internal/json.js";
import { ADMIN, routesApp } from "../support/routes-app.js";

describe("POST /jobs", () => {
  it("creates a job (201, Location, links, stream token) and dedupes by Idempotency-Key (200)", async () => {
    const { postJson, queue } = routesApp();
    const res = await postJson(
      "/jobs",
      { type: "echo", payload: { n: 1 }, priority: 2 },
      {
        "idempotency-key": "order-7",
      },
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ created: true, state: "queued" });
    expect(res.headers.get("location")).toBe(`/queue/jobs/${body.id}`);
    expect(body.links.events).toBe(`/queue/jobs/${body.id}/events`);
    expect(body.streamToken).toMatch(/^v1\.\d+\./);
    expect(body.streamUrl).toContain("?token=");
    const again = await postJson(
      "/jobs",
      { type: "echo", payload: { n: 2 } },
      { "idempotency-key": "order-7" },
    );
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: body.id, created: false, state: "queued" });
    expect(await queue.get(body.id)).toMatchObject({
      priority: 2,
      payload: { n: 1 },
      idempotencyKey: "order-7",
    });
  });

  it("enqueues a batch atomically and refuses it whole if one item is bad", async () => {
    const { postJson, totalJobs } = routesApp();
    const bad = await postJson("/jobs/batch", { jobs: [{ type: "echo" }, { type: 5 }] });
    expect(bad.status).toBe(422);
    expect(await bad.json()).toEqual({
      error: { code: "VALIDATION", message: "type must be a string", field: "jobs.1.type" },
    });
    expect(await totalJobs()).toBe(0);
    const ok = await postJson("/jobs/batch", {
      jobs: [{ type: "echo" }, { type: "echo", delayMs: 1000 }],
    });
    expect(ok.status).toBe(201);
    expect((await ok.json()).jobs).toHaveLength(2);
    expect(await totalJobs()).toBe(2);
  });

  const SECRET = "s3cr3t-value-in-body";
  it.each([
    [
      "no credentials",
      401,
      "UNAUTHORIZED",
      (a: ReturnType<typeof routesApp>) =>
        a.request("/jobs", {
          method: "POST",
          body: JSON.stringify({ type: "echo", payload: SECRET }),
          headers: { "content-type": "application/json" },
        }),
    ],
    [
      "a wrong token",
      401,
      "UNAUTHORIZED",
      (a: ReturnType<typeof routesApp>) =>
        a.request("/jobs", {
          method: "POST",
          body: "{}",
          headers: {
            authorization: "Bearer nope-nope-nope-nope",
            "content-type": "application/json",
          },
        }),
    ],
    [
      "a non-JSON content type",
      415,
      "UNSUPPORTED_MEDIA_TYPE",
      (a: ReturnType<typeof routesApp>) =>
        a.asAdmin("/jobs", {
          method: "POST",
          body: `type=echo&payload=${SECRET}`,
          headers: { "content-type": "application/x-www-form-urlencoded" },
        }),
    ],
    [
      "malformed JSON",
      400,
      "INVALID_JSON",
      (a: ReturnType<typeof routesApp>) =>
        a.asAdmin("/jobs", {
          method: "POST",
          body: `{"type":"echo","payload":"${SECRET}"`,
          headers: { "content-type": "application/json" },
        }),
    ],
    [
      "a body over the limit",
      413,
      "PAYLOAD_TOO_LARGE",
      (a: ReturnType<typeof routesApp>) =>
        a.postJson("/jobs", { type: "echo", payload: SECRET.repeat(100_000) }),
    ],
    [
      "an unknown field",
      422,
      "VALIDATION",
      (a: ReturnType<typeof routesApp>) =>
        a.postJson("/jobs", { type: "echo", payload: SECRET, priorty: 1 }),
    ],
    [
      "an invalid priority",
      422,
      "VALIDATION",
      (a: ReturnType<typeof routesApp>) =>
        a.postJson("/jobs", { type: "echo", payload: SECRET, priority: 1.5 }),
    ],
    [
      "a body that is not an object",
      422,
      "VALIDATION",
      (a: ReturnType<typeof routesApp>) => a.postJson("/jobs", [SECRET]),
    ],
  ])(
    "refuses %s with %i %s, stores nothing and never echoes the body",
    async (_, status, code, send) => {
      const app = routesApp();
      const res = await send(app);
      const text = await res.text();
      expect(res.status).toBe(status);
      expect(JSON.parse(text).error.code).toBe(code);
      expect(text).not.toContain(SECRET);
      if (status === 401) expect(res.headers.get("www-authenticate")).toBe("Bearer");
      expect(await app.totalJobs()).toBe(0);
    },
  );

  it("validates payloads per job type with Standard Schema (zod and valibot)", async () => {
    const { postJson, totalJobs, queue } = routesApp({
      jobs: {
        resize: z.object({
          url: z.string().url(),
          width: z.number().int().positive().default(320),
        }),
        email: v.object({ to: v.pipe(v.string(), v.email()) }),
      },
    });
    const unknown = await postJson("/jobs", { type: "echo", payload: {} });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error.code).toBe("UNKNOWN_JOB_TYPE");
    const bad = await postJson("/jobs", { type: "resize", payload: { url: "nope", width: -1 } });
    expect(bad.status).toBe(422);
    const { error } = await bad.json();
    expect(error.code).toBe("INVALID_PAYLOAD");
    expect(error.issues.map((i: { path: string }) => i.path).sort()).toEqual(["url", "width"]);
    const badMail = await postJson("/jobs", { type: "email", payload: { to: "x" } });
    expect((await badMail.json()).error.issues[0].path).toBe("to");
    expect(await totalJobs()).toBe(0);
    const ok = await postJson("/jobs", {
      type: "resize",
      payload: { url: "https://example.com/a.png" },
    });
    expect(ok.status).toBe(201);
    const { id } = await ok.json();
    expect((await queue.get(id))?.payload).toEqual({
      url: "https://example.com/a.png",
      width: 320,
    });
  });

  it("checks types and payloads with the queue's own job schemas (stored as given)", async () => {
    const { postJson, totalJobs, queue } = routesApp(
      {},
      {
        jobs: {
          echo: z.object({ n: z.number().optional() }),
          resize: z.object({ url: z.string().url(), width: z.number().default(320) }),
        },
      },
    );
    const unknown = await postJson("/jobs", { type: "nope", payload: {} });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error).toMatchObject({ code: "UNKNOWN_JOB_TYPE", field: "type" });
    const bad = await postJson("/jobs", { type: "resize", payload: { url: "nope" } });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error).toMatchObject({
      code: "INVALID_PAYLOAD",
      field: "payload",
      issues: [{ path: "url", message: expect.any(String) }],
    });
    const batch = await postJson("/jobs/batch", {
      jobs: [
        { type: "echo", payload: {} },
        { type: "resize", payload: { url: 1 } },
      ],
    });
    expect((await batch.json()).error).toMatchObject({
      code: "INVALID_PAYLOAD",
      field: "jobs.1.payload",
    });
    expect(await totalJobs()).toBe(0);
    const ok = await postJson("/jobs", { type: "resize", payload: { url: "https://e.com/a" } });
    expect(ok.status).toBe(201);
    const { id } = await ok.json();
    expect((await queue.get(id))?.payload).toEqual({ url: "https://e.com/a" });
  });

  it("answers with fixed messages that never repeat a job type or an unknown field's name", async () => {
    const { postJson } = routesApp({ jobs: { resize: z.object({ url: z.string() }) } });
    const cases = [
      [{ type: "ECHOED-type" }, "UNKNOWN_JOB_TYPE", "unknown job type", "type"],
      [{ type: "resize", "ECHOED-field": 1 }, "VALIDATION", expect.any(String), undefined],
      [{ jobs: [{ type: "resize", "ECHOED-f": 1 }] }, "VALIDATION", expect.any(String), "jobs.0"],
      [{ jobs: [{ type: "ECHOED-t" }] }, "UNKNOWN_JOB_TYPE", "unknown job type", "jobs.0.type"],
    ] as const;
    for (const [body, code, message, field] of cases) {
      const res = await postJson("jobs" in body ? "/jobs/batch" : "/jobs", body);
      const text = await res.text();
      expect(res.status).toBe(422);
      expect(text).not.toContain("ECHOED");
      expect(JSON.parse(text)).toEqual({
        error: { code, message, ...(field ? { field } : {}) },
      });
    }
  });

  it("refuses bodies nested deeper than MAX_JSON_DEPTH with a 422, never a 500", async () => {
    const { asAdmin, totalJobs } = routesApp();
    const nest = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    const send = (path: string, body: string) =>
      asAdmin(path, { method: "POST", body, headers: { "content-type": "application/json" } });
    const tooDeep = {
      backoff: `{"type":"echo","backoff":{"delayMs":${nest(5_000)}}}`,
      payload: `{"type":"echo","payload":${nest(MAX_JSON_DEPTH + 2)}}`,
      batch: `{"jobs":[{"type":"echo","backoff":${nest(5_000)}}]}`,
    };
    for (const [what, body] of Object.entries(tooDeep)) {
      const res = await send(what === "batch" ? "/jobs/batch" : "/jobs", body);
      expect([what, res.status]).toEqual([what, 422]);
      expect(await res.json()).toEqual({
        error: {
          code: "VALIDATION",
          message: `the body nests deeper than ${MAX_JSON_DEPTH + 2} levels`,
        },
      });
    }
    expect(await totalJobs()).toBe(0);
    // A payload one level too deep passes the body check and is refused by the core.
    const payloadTooDeep = await send(
      "/jobs",
      `{"type":"echo","payload":${nest(MAX_JSON_DEPTH + 1)}}`,
    );
    expect(payloadTooDeep.status).toBe(422);
    expect(await payloadTooDeep.json()).toMatchObject({ error: { field: "payload" } });
    // Exactly the limit is fine, and brackets inside strings do not count.
    const deepest = `{"type":"echo","payload":${nest(MAX_JSON_DEPTH)}}`;
    expect((await send("/jobs", deepest)).status).toBe(201);
    const quoted = JSON.stringify({ type: "echo", payload: `\\"${"[{".repeat(200)}` });
    expect((await send("/jobs", quoted)).status).toBe(201);
    expect(await totalJobs()).toBe(2);
  });

  it("answers 503 with Retry-After when the store is unreachable", async () => {
    const queue = new JobQueue({ backend: libsqlBackend({ url: "http://127.0.0.1:9" }) });
    const app = new Hono().route("/q", queueRoutes(queue, { auth: { tokens: [ADMIN] } }));
    const res = await app.request("/q/jobs", {
      method: "POST",
      body: JSON.stringify({ type: "t" }),
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect((await res.json()).error.code).toBe("BACKEND_UNAVAILABLE");
  });

  it("refuses to build without an auth decision or with weak secrets", () => {
    const { queue } = routesApp();
    expect(() => queueRoutes(queue, {} as never)).toThrow(/needs auth/);
    expect(() => queueRoutes(queue, { auth: { tokens: ["short"] } })).toThrow(/16 characters/);
    expect(() => queueRoutes(queue, { auth: false, streamSecret: "short" })).toThrow(
      /streamSecret/,
    );
  });

  it("answers CORS preflights for configured origins", async () => {
    const { request } = routesApp({ cors: { origin: "https://app.example" } });
    const res = await request("/jobs/x/events", {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "GET" },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://app.example");
  });
});
