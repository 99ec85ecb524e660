/** The client's request/response calls against a real server (Node's fetch, loopback). */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { createClient, QueueClientError } from "../../src/client/index.js";
import {
  ADMIN,
  startTestServer,
  type TestJobs,
  type TestServer,
} from "../support/client-server.js";
import { closedPort } from "../support/unreachable.js";

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<QueueClientError> {
  const error = await promise.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QueueClientError);
  return error as QueueClientError;
}

describe("createClient against a real server", () => {
  let server: TestServer;
  let client: ReturnType<typeof createClient<TestJobs>>;
  beforeAll(async () => {
    server = await startTestServer();
    client = createClient<TestJobs>({ baseUrl: server.url, token: ADMIN });
  });
  afterAll(() => server?.close());

  it("enqueues, waits for the result, and reads the status: typed by the job map", async () => {
    const job = await client.enqueue("echo", { text: "hi" }, { priority: 3 });
    expect(job).toMatchObject({ created: true, state: "queued" });
    expect(job.streamToken).toMatch(/^v1\./);
    expect(job.streamUrl).toContain("?token=");
    const done = await client.result(job.id, { waitMs: 10_000 });
    expect(done).toMatchObject({
      id: job.id,
      state: "completed",
      result: { echoed: { text: "hi" } },
    });
    expectTypeOf(done.result).toEqualTypeOf<{ echoed: { text: string } } | null>();
    const status = await client.get(job.id);
    expect(status).toMatchObject({ type: "echo", priority: 3, payload: { text: "hi" } });
    expectTypeOf(status.payload).toEqualTypeOf<{ text: string } | undefined>();
    // A plain string id: the status is the union of every type's, narrowed by `type`.
    const any = await client.get(String(job.id));
    if (any.type === "steps") expectTypeOf(any.result).toEqualTypeOf<{ steps: number } | null>();
    // @ts-expect-error: the payload of `echo` is checked
    await rejection(client.enqueue("echo", { text: 1 }, { maxAttempts: 0 }));
  });

  it("answers 202's job as it is when the wait runs out", async () => {
    const { id } = await client.enqueue("wait", {});
    const job = await client.result(id, { waitMs: 50 });
    expect(["queued", "active"]).toContain(job.state);
    expect(await client.cancel(id)).toEqual({ id, cancelled: true });
    expect((await client.result(id, { waitMs: 5_000 })).state).toBe("cancelled");
    expect(await client.cancel(id)).toEqual({ id, cancelled: false });
  });

  it("enqueues with an idempotency key once; batches all or none", async () => {
    const first = await client.enqueue("echo", { text: "k" }, { idempotencyKey: "key-1" });
    const again = await client.enqueue("echo", { text: "k" }, { idempotencyKey: "key-1" });
    expect(again).toMatchObject({ id: first.id, created: false });
    const batch = await client.enqueueBatch([
      { type: "echo", payload: { text: "a" } },
      { type: "steps", payload: { n: 1, everyMs: 1 }, options: { runAt: new Date() } },
    ]);
    expect(batch.map((j) => j.created)).toEqual([true, true]);
    const error = await rejection(
      client.enqueueBatch([
        { type: "echo", payload: { text: "ok" } },
        { type: 5, payload: 1 } as never,
      ]),
    );
    expect(error).toMatchObject({ status: 422, code: "VALIDATION", field: "jobs.1.type" });
  });

  it("redrives a dead job, and a live one is INVALID_STATE (409) as a typed error", async () => {
    const { id } = await client.enqueue("fail", {}, { maxAttempts: 1 });
    const dead = await client.result(id, { waitMs: 10_000 });
    expect(dead).toMatchObject({ state: "failed", error: { code: "ON_PURPOSE" } });
    expect(await client.retry(id)).toEqual({ id, state: "queued" });
    const { id: live } = await client.enqueue("wait", {});
    const error = await rejection(client.retry(live));
    expect(error).toMatchObject({ status: 409, code: "INVALID_STATE" });
    expect(error.message).toBe("the job's state does not allow this");
    await client.cancel(live);
  });

  it("lists by state with a cursor, counts, purges", async () => {
    const first = await client.list({ state: "completed", limit: 1 });
    expect(first.jobs).toHaveLength(1);
    expect(first.jobs[0]?.state).toBe("completed");
    expect(first.cursor).not.toBeNull();
    const next = await client.list({ state: "completed", limit: 1, cursor: first.cursor });
    expect(next.jobs[0]?.id).not.toBe(first.jobs[0]?.id);
    const stats = await client.stats();
    expect(Object.keys(stats).sort()).toEqual([
      "active",
      "cancelled",
      "completed",
      "failed",
      "queued",
    ]);
    expect(stats.cancelled).toBeGreaterThanOrEqual(1);
    expect(await client.purge(["cancelled"])).toBe(stats.cancelled);
    expect((await client.stats()).cancelled).toBe(0);
  });

  it("turns the server's errors into QueueClientError: 401, 404, 400, 422 with issues", async () => {
    const anonymous = createClient<TestJobs>({ baseUrl: server.url });
    expect(await rejection(anonymous.stats())).toMatchObject({ status: 401, code: "UNAUTHORIZED" });
    const wrong = createClient({ baseUrl: server.url, token: () => "not-the-token-0123456789" });
    expect(await rejection(wrong.enqueue("echo", {}))).toMatchObject({ status: 401 });
    expect(await rejection(client.get("nope"))).toMatchObject({
      status: 404,
      code: "JOB_NOT_FOUND",
    });
    expect(await rejection(client.list({ limit: 0 }))).toMatchObject({
      status: 400,
      code: "BAD_REQUEST",
      field: "limit",
    });
    // A stream token reads its own job, and nothing else.
    const { id, streamToken } = await client.enqueue("echo", { text: "t" });
    const status = await anonymous.result(id, { token: streamToken, waitMs: 5_000 });
    expect(status).toMatchObject({ state: "completed" });
    expect(status).not.toHaveProperty("payload");
    const other = await client.enqueue("echo", { text: "u" });
    expect(await rejection(anonymous.get(other.id, { token: streamToken }))).toMatchObject({
      status: 401,
    });
  });

  it("reports INVALID_PAYLOAD with the schema's issues", async () => {
    const { z } = await import("zod");
    const strict = await startTestServer({ jobs: { echo: z.object({ text: z.string() }) } });
    try {
      const c = createClient({ baseUrl: strict.url, token: ADMIN, headers: { "x-test": "1" } });
      const error = await rejection(c.enqueue("echo", { text: 5 }));
      expect(error).toMatchObject({ status: 422, code: "INVALID_PAYLOAD", field: "payload" });
      expect(error.issues?.[0]?.path).toBe("text");
      expect(await rejection(c.enqueue("other", {}))).toMatchObject({ code: "UNKNOWN_JOB_TYPE" });
    } finally {
      await strict.close();
    }
  });

  it("passes a signal: an aborted call rejects with the signal's reason", async () => {
    const { id } = await client.enqueue("wait", {});
    const controller = new AbortController();
    const waiting = client.result(id, { waitMs: 20_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("user gave up")), 50);
    await expect(waiting).rejects.toThrow("user gave up");
    await client.cancel(id);
  });
});

describe("failures without an API answer", () => {
  it("no server at all: NETWORK, status 0, the runtime's error as cause", async () => {
    const client = createClient({ baseUrl: `http://127.0.0.1:${await closedPort()}/queue` });
    const error = await rejection(client.stats());
    expect(error).toMatchObject({ status: 0, code: "NETWORK" });
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it("the store unreachable: 503 BACKEND_UNAVAILABLE with retryAfter", async () => {
    const server = await startTestServer({}, {}, `http://127.0.0.1:${await closedPort()}`);
    try {
      const client = createClient({ baseUrl: server.url, token: ADMIN });
      const error = await rejection(client.enqueue("echo", { text: "x" }));
      expect(error).toMatchObject({ status: 503, code: "BACKEND_UNAVAILABLE", retryAfter: 5 });
    } finally {
      await server.close();
    }
  });

  it("an answer that is not the API's: BAD_RESPONSE with its status", async () => {
    const client = createClient({
      baseUrl: "http://proxy.invalid/queue",
      fetch: async () => new Response("<html>bad gateway</html>", { status: 502 }),
    });
    expect(await rejection(client.stats())).toMatchObject({ status: 502, code: "BAD_RESPONSE" });
    const ok = createClient({
      baseUrl: "http://proxy.invalid/queue",
      fetch: async () => new Response("<html>", { status: 200 }),
    });
    expect(await rejection(ok.stats())).toMatchObject({ status: 200, code: "BAD_RESPONSE" });
  });
});
