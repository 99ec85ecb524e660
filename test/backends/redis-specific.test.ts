import { Redis as UpstashRedis } from "@upstash/redis";
import type { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UpstashRestServer } from "../../devtools/upstash-rest-server.js";
import { redisBackend } from "../../src/backends/redis/index.js";
import { BackendUnavailableError, type Job, JobQueue, ManualClock } from "../../src/index.js";
import { internalsOf } from "../../src/internal/queue-internals.js";
import { redisUrl, tcpSetup, upstashSetup } from "../support/redis-clients.js";

const uniqueName = () => `r-${crypto.randomUUID().slice(0, 8)}`;

describe.skipIf(!redisUrl)("redis backend specifics", () => {
  let endpoint: UpstashRestServer;
  let rest: ReturnType<typeof redisBackend>;
  let admin: IORedis;

  beforeAll(async () => {
    ({ endpoint, backend: rest } = await upstashSetup());
    admin = tcpSetup().client;
  });
  afterAll(async () => {
    await endpoint.close();
    admin.disconnect();
  });

  const queueKeys = (name: string) => admin.keys(`jt:{${name}}:*`);
  const open = (name = uniqueName(), clock = new ManualClock()) =>
    new JobQueue({ backend: rest, name, clock, progressIntervalMs: 0 });

  it("costs one HTTP request per operation: enqueue, claimMany(n), update, complete", async () => {
    const queue = open();
    const counted = async (op: () => Promise<unknown>) => {
      endpoint.resetCounts();
      await op();
      return endpoint.requests;
    };
    expect(await counted(() => queue.enqueue("t", 1))).toBe(1);
    expect(
      await counted(() => queue.enqueueMany([1, 2, 3].map((n) => ({ type: "t", payload: n })))),
    ).toBe(1);
    let jobs: Job[] = [];
    expect(await counted(async () => (jobs = await queue.claimMany(4)))).toBe(1);
    expect(jobs).toHaveLength(4);
    const [job] = jobs as [Job];
    expect(await counted(() => queue.update(job, { progress: 0.5 }))).toBe(1);
    expect(await counted(() => queue.heartbeat(job))).toBe(1);
    expect(await counted(() => queue.complete(job, "ok"))).toBe(1);
    let next: Job[] = [];
    const combined = () => internalsOf(queue).completeAndClaim(jobs[2] as Job, "ok", { limit: 1 });
    expect(await counted(async () => ({ next } = await combined()))).toBe(1);
    expect(next).toHaveLength(0);
    expect(await counted(() => queue.get(job.id))).toBe(1);
    expect(await counted(() => queue.readEvents(job.id))).toBe(1);
    expect(await counted(() => queue.cancel(jobs[1]?.id as string))).toBe(1);
    expect(await counted(() => queue.claimMany(5))).toBe(1); // empty claim
    await queue.purge();
  });

  it("runs one job's life (enqueue, claim, 3 updates, complete) in 6 EVALSHA calls", async () => {
    const queue = open();
    // Warm up: a process sends each script once with EVAL (which loads it), then EVALSHA.
    await queue.enqueue("warm-up", 0);
    const warm = (await queue.claim()) as Job;
    await queue.update(warm, { progress: 0.1 });
    await queue.complete(warm, 0);
    await admin.config("RESETSTAT");
    endpoint.resetCounts();
    const id = await queue.enqueue("t", { n: 1 });
    const job = (await queue.claim()) as Job;
    for (const progress of [0.25, 0.5, 0.75]) await queue.update(job, { progress });
    await queue.complete(job, { ok: true });
    const info = await admin.info("commandstats");
    const calls: Record<string, number> = Object.fromEntries(
      [...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)].map((m) => [m[1], Number(m[2])]),
    );
    expect(endpoint.requests).toBe(6);
    expect(calls.evalsha).toBe(6);
    expect(calls.eval ?? 0).toBe(0);
    const serverSide = Object.entries(calls)
      .filter(([name]) => name !== "info" && name !== "config")
      .reduce((sum, [, n]) => sum + n, 0);
    console.log(
      `one job's life: ${endpoint.requests} HTTP requests, ${endpoint.commands} REST commands, ` +
        `${serverSide} server-side commands (${JSON.stringify(calls)})`,
    );
    expect((await queue.get(id))?.state).toBe("completed");
    await queue.purge();
  });

  it("recovers after SCRIPT FLUSH by falling back to EVAL", async () => {
    const queue = open();
    await queue.enqueue("t", 1);
    await admin.script("FLUSH");
    const job = await queue.claim();
    expect(job?.payload).toBe(1);
    await queue.purge();
  });

  it("keeps every key of a queue under one hash tag, and a purge leaves none", async () => {
    const name = uniqueName();
    const queue = open(name);
    const ids = await Promise.all(
      [1, 2, 3].map((n) => queue.enqueue("t", n, { idempotencyKey: `k${n}` })),
    );
    await queue.enqueue("t", 4, { delayMs: 60_000 });
    const [a, b] = (await queue.claimMany(2)) as [Job, Job];
    await queue.complete(a, "done");
    await queue.fail(b, new Error("x"), { retry: false });
    await queue.cancel(ids[2] as string);
    const keys = await queueKeys(name);
    expect(keys.length).toBeGreaterThan(5);
    expect(keys.every((key) => key.startsWith(`jt:{${name}}:`))).toBe(true);
    expect(await queue.purge()).toBe(4);
    expect(await queueKeys(name)).toEqual([]);
  });

  it("gives finished jobs, their events and idempotency keys a TTL equal to retention", async () => {
    const name = uniqueName();
    const queue = new JobQueue({ backend: rest, name, retention: { completedMs: 60_000 } });
    const id = await queue.enqueue("t", null, { idempotencyKey: "once" });
    const base = `jt:{${name}}:`;
    expect(await admin.pttl(`${base}job:${id}`)).toBe(-1); // live jobs never expire
    await queue.complete((await queue.claim()) as Job, "ok");
    for (const key of [`job:${id}`, `ev:${id}`, "idem:once"]) {
      const ttl = await admin.pttl(base + key);
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
    await queue.purge();
  });

  it("returns stored strings unchanged with automatic deserialization on or off", async () => {
    const raw = new UpstashRedis({
      url: endpoint.url,
      token: endpoint.token,
      automaticDeserialization: false,
    });
    for (const redis of [raw, new UpstashRedis({ url: endpoint.url, token: endpoint.token })]) {
      const queue = new JobQueue({
        backend: redisBackend({ redis, prefix: "jt" }),
        name: uniqueName(),
      });
      for (const payload of ["1", "true", '{"a":1}', "null", "OK", "dGVzdA==", 12, [1, "2"]]) {
        const id = await queue.enqueue("t", payload);
        const job = (await queue.claim()) as Job;
        expect(job.payload).toEqual(payload);
        await queue.complete(job, payload);
        expect((await queue.get(id))?.result).toEqual(payload);
      }
      await queue.purge();
    }
  });

  it("reports an unreachable endpoint as BackendUnavailableError", async () => {
    const redis = new UpstashRedis({ url: "http://127.0.0.1:9", token: "x", retry: false });
    const queue = new JobQueue({ backend: redisBackend({ redis }) });
    await expect(queue.enqueue("t", null)).rejects.toBeInstanceOf(BackendUnavailableError);
  });

  it("rejects a client without evalsha/eval and a bad prefix at once", () => {
    expect(() => redisBackend({ redis: {} as never })).toThrow(/redis must be/);
    expect(() => redisBackend({ redis: rest as never, prefix: "a b" })).toThrow();
  });
});
