import { Redis as UpstashRedis } from "@upstash/redis";
import type { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { UpstashRestServer } from "../../devtools/upstash-rest-server.js";
import {
  type ClaimInput,
  type JobRecord,
  type NewJobRecord,
  NO_LIMITS,
  type QueueLimits,
  type ScheduleSpec,
  scheduledJobId,
} from "../../src/backend.js";
import { type RedisQueueBackend, redisBackend } from "../../src/backends/redis/index.js";
import { BackendUnavailableError, type Job, JobQueue, ManualClock } from "../../src/index.js";
import { newToken } from "../../src/internal/ids.js";
import { internalsOf } from "../../src/internal/queue-internals.js";
import { newJobRecord } from "../../src/testing/new-job.js";
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
    // A queue with no keys, limits or schedules pays nothing for them (issue 20).
    expect(serverSide).toBe(49);
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

describe.skipIf(!redisUrl)("redis backend: keys, limits and schedules (issue 13)", () => {
  let admin: IORedis;
  let backend: RedisQueueBackend;
  const NOW = Date.UTC(2026, 0, 1);
  let name = uniqueName();

  beforeAll(() => {
    ({ client: admin, backend } = tcpSetup());
  });
  afterAll(() => admin.disconnect());
  beforeEach(() => {
    name = uniqueName();
  });

  const scope = (now = NOW) => ({ queue: name, now });
  let seq = 0;
  const job = (overrides: Partial<NewJobRecord> = {}): NewJobRecord =>
    newJobRecord(NOW, { id: `j${String(++seq).padStart(6, "0")}`, payload: "1", ...overrides });
  const enqueue = (jobs: NewJobRecord[], now = NOW) => backend.enqueue({ ...scope(now), jobs });
  /** Stores the queue's settings: NO_LIMITS with these changes. */
  const setLimits = (limits: Partial<QueueLimits>, now = NOW) =>
    backend.setQueueLimits({ ...scope(now), limits: { ...NO_LIMITS, ...limits } });
  const claimInput = (limit: number, now = NOW): ClaimInput => ({
    ...scope(now),
    limit,
    token: newToken(),
    leaseUntil: now + 600_000,
    expiredError: '"expired"',
    failedExpiresAt: now + 60_000,
  });
  /**
   * Claims (under these settings, stored first, when given); each job comes back with the
   * claim's token, for finishing it.
   */
  const claim = async (limit: number, limits?: Partial<QueueLimits>, now = NOW) => {
    if (limits) await setLimits(limits, now);
    const input = claimInput(limit, now);
    const outcome = await backend.claim(input);
    return { ...outcome, jobs: outcome.jobs.map((j) => ({ ...j, token: input.token })) };
  };
  type Claimed = JobRecord & { token: string };
  const keysOf = (jobs: JobRecord[]) => jobs.map((j) => j.concurrencyKey);
  const complete = (j: Claimed, now = NOW) =>
    backend.complete({
      ...scope(now),
      id: j.id,
      token: j.token,
      result: "1",
      expiresAt: now + 1000,
    });
  /** Lane bookkeeping keys left (should be none once no job is queued or active). */
  const laneKeys = async () =>
    (await admin.keys(`jt:{${name}}:*`))
      .map((k) => k.slice(`jt:{${name}}:`.length))
      .filter((k) => /^(lane|lanes|lane-head|parked|rated|key-active|key-queued)/.test(k))
      .sort();

  /**
   * The lane bookkeeping agrees with the jobs: every non-empty lane is indexed under its head
   * unless parked, nothing else is indexed, and key-active counts the active jobs per key.
   */
  const expectLanesConsistent = async () => {
    const base = `jt:{${name}}:`;
    const laneNames = (await admin.keys(`${base}lane:*`)).map((k) =>
      k.slice(`${base}lane:`.length),
    );
    const parked = await admin.hgetall(`${base}parked`);
    const heads = await admin.hgetall(`${base}lane-head`);
    const expectedHeads: Record<string, string> = {};
    for (const k of laneNames) {
      const [head] = await admin.zrange(`${base}lane:${k}`, "0", "0");
      if (head && !parked[k]) expectedHeads[k] = head;
    }
    // An entry is `<turn>:<head>`; the index holds exactly the lane-head entries.
    const headOf = (entry: string) => entry.replace(/^\d+:/, "");
    expect(Object.fromEntries(Object.entries(heads).map(([k, e]) => [k, headOf(e)]))).toEqual(
      expectedHeads,
    );
    expect((await admin.zrange(`${base}lanes`, "0", "-1")).sort()).toEqual(
      Object.values(heads).sort(),
    );
    for (const k of Object.keys(parked)) expect(laneNames).toContain(k);
    const rated = await admin.zrange(`${base}rated`, "0", "-1");
    expect(rated.sort()).toEqual(
      Object.keys(parked)
        .filter((k) => parked[k] === "rate")
        .sort(),
    );
    /** Jobs per concurrency key in that state, as the key counts store them. */
    const perKey = async (state: string) => {
      const counts: Record<string, string> = {};
      for (const id of await admin.zrange(`${base}state:${state}`, "0", "-1")) {
        const key = await admin.hget(`${base}job:${id}`, "concurrencyKey");
        if (key) counts[key] = String(Number(counts[key] ?? 0) + 1);
      }
      return counts;
    };
    const [active, queued] = [await perKey("active"), await perKey("queued")];
    expect(await admin.hgetall(`${base}key-active`)).toEqual(active);
    expect(await admin.hgetall(`${base}key-queued`)).toEqual(queued);
    // An idle key (nothing queued or active) keeps no turn.
    const turnKeys = Object.keys(await admin.hgetall(`${base}turns`))
      .filter((field) => field.startsWith("k:"))
      .map((field) => field.slice(2));
    for (const k of turnKeys) expect(Boolean(active[k] || queued[k]), k).toBe(true);
  };

  it("keeps the lane index and key counts right through a random mix of operations", async () => {
    let state = 42;
    /** A deterministic integer in [0, n) (mulberry32). */
    const random = (n: number) => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const limits: Partial<QueueLimits> = {
      keyConcurrency: 2,
      keyRateLimit: { limit: 2, windowMs: 10_000 },
      typeRateLimits: [{ type: "slow", limit: 2, windowMs: 3_000 }],
    };
    await backend.setKeyLimits({ ...scope(), key: "k1", concurrency: 1 });
    let now = NOW;
    const held: Claimed[] = [];
    const seen = new Set<string>();
    const ref = (j: Claimed) => ({ ...scope(now), id: j.id, token: j.token });
    for (let step = 0; step < 400; step++) {
      const op = random(10);
      if (op < 3) {
        const key = random(4);
        await enqueue(
          [
            job({
              concurrencyKey: key === 0 ? null : `k${key}`,
              type: random(3) === 0 ? "slow" : "t",
              priority: random(3),
              runAt: now + (random(4) === 0 ? 2_000 : 0),
              maxAttempts: 2,
            }),
          ],
          now,
        );
      } else if (op < 6) {
        held.push(
          ...(await claim(1 + random(3), limits, now)).jobs.map((j) => ({
            ...j,
            leaseUntil: now + 600_000,
          })),
        );
      } else if (op < 8 && held.length > 0) {
        const [j] = held.splice(random(held.length), 1) as [Claimed];
        const how = random(4);
        if (how === 0) await complete(j, now);
        else if (how === 1)
          await backend.fail({
            ...ref(j),
            error: "{}",
            retryAt: how === 1 ? now + 1_000 : null,
            expiresAt: now + 1_000,
          });
        else if (how === 2) await backend.release(ref(j));
        else
          await backend.cancel({
            ...scope(now),
            id: j.id,
            callId: `c${step}`,
            expiresAt: now + 1_000,
          });
      } else if (op === 8) {
        now += 1 + random(2_000);
      } else if (random(20) === 0) {
        await backend.purge({ ...scope(now), states: ["queued"] });
      } else if (random(2) === 0) {
        const [failed] = (await backend.list({ ...scope(now), state: "failed", limit: 1 })).jobs;
        if (failed)
          expect(await backend.retry({ ...scope(now), id: failed.id, callId: `r${step}` })).toBe(
            "redriven",
          );
      } else {
        now += 700_000; // every lease expires: requeued or dead-lettered at the next claim
        held.length = 0;
      }
      await expectLanesConsistent();
      for (const why of Object.values(await admin.hgetall(`jt:{${name}}:parked`))) seen.add(why);
    }
    expect([...seen].sort()).toEqual(["full", "rate"]); // both kinds of parking were exercised
    await backend.purge(scope(now));
    expect(await laneKeys()).toEqual([]);
  }, 60_000);

  it("stores the concurrency key and limits active jobs per key", async () => {
    await enqueue([1, 2, 3].map(() => job({ concurrencyKey: "a" })));
    await enqueue([job()]);
    const first = await claim(10, { keyConcurrency: 2 });
    expect(keysOf(first.jobs)).toEqual(["a", null, "a"]);
    expect(first.wakeAt).toBeNull();
    expect((await claim(10, { keyConcurrency: 2 })).jobs).toEqual([]);
    expect(await complete(first.jobs[0] as Claimed)).toBe(true);
    expect(keysOf((await claim(10, { keyConcurrency: 2 })).jobs)).toEqual(["a"]);
    await backend.purge(scope());
    expect(await laneKeys()).toEqual([]);
  });

  it("rotates across keys: one key's backlog does not delay another's first job", async () => {
    await enqueue(Array.from({ length: 50 }, () => job({ concurrencyKey: "big" })));
    await enqueue([job({ concurrencyKey: "small" }), job()]);
    const order: Array<string | null> = [];
    for (let i = 0; i < 5; i++) order.push(...keysOf((await claim(1)).jobs));
    expect(order).toEqual(["big", "small", null, "big", "big"]);
    // Priority still first.
    await enqueue([job({ concurrencyKey: "small", priority: 5 })]);
    expect(keysOf((await claim(1)).jobs)).toEqual(["small"]);
    await backend.purge(scope());
    expect(await laneKeys()).toEqual([]);
  });

  it("keeps priority first and rotates with a turn counter far past 2^32", async () => {
    await admin.hset(`jt:{${name}}:turns`, "n", String(2 ** 45));
    await enqueue([job({ concurrencyKey: "a" }), job({ concurrencyKey: "a" })]);
    await enqueue([job({ concurrencyKey: "b" }), job({ concurrencyKey: "b", priority: -1 })]);
    await enqueue([job({ concurrencyKey: "c", priority: 1 })]);
    const order: Array<string | null> = [];
    for (let i = 0; i < 5; i++) order.push(...keysOf((await claim(1)).jobs));
    expect(order).toEqual(["c", "a", "b", "a", "b"]);
  });

  it("stores the settings in one key; a change reopens lanes parked under the old ones", async () => {
    await enqueue([job({ concurrencyKey: "a" }), job({ concurrencyKey: "a" })]);
    expect(keysOf((await claim(10, { keyConcurrency: 1 })).jobs)).toEqual(["a"]);
    expect((await claim(10)).jobs).toEqual([]);
    expect(await admin.hget(`jt:{${name}}:parked`, "a")).toBe("full");
    const wider = { ...NO_LIMITS, keyConcurrency: 2 };
    // onlyIfAbsent answers what is stored; a plain write replaces it and reopens the lane.
    const kept = await backend.setQueueLimits({ ...scope(), limits: wider, onlyIfAbsent: true });
    expect(kept.keyConcurrency).toBe(1);
    expect(await backend.setQueueLimits({ ...scope(), limits: wider })).toEqual(wider);
    expect(await backend.setQueueLimits({ ...scope(), limits: wider })).toEqual(wider); // re-sent
    expect(await admin.hgetall(`jt:{${name}}:parked`)).toEqual({});
    expect(JSON.parse((await admin.get(`jt:{${name}}:settings`)) as string)).toEqual(wider);
    expect(keysOf((await claim(10)).jobs)).toEqual(["a"]);
    await expectLanesConsistent();
  });

  it("keeps no turns until the queue has had a keyed job, nor for an idle key", async () => {
    const turns = () => admin.hgetall(`jt:{${name}}:turns`);
    await enqueue([job(), job()]);
    await claim(1);
    expect(await turns()).toEqual({});
    // A keyed job not due yet: the claim takes the plain path, and records the unkeyed turn.
    await enqueue([job({ concurrencyKey: "a", runAt: NOW + 1000 })]);
    await claim(1);
    expect(await turns()).toEqual({ keyed: "1", n: "1", u: "1" });
    await claim(1, undefined, NOW + 1000);
    expect(await turns()).toMatchObject({ n: "2", u: "1", "k:a": "2" });
    await backend.purge(scope());
    expect(await turns()).toEqual({ keyed: "1", n: "2", u: "1" });
  });

  it("keeps the plain order (priority, run time, insertion) without keys", async () => {
    const jobs = [job({ priority: 1 }), job({ runAt: NOW - 5 }), job(), job({ priority: 1 })];
    await enqueue(jobs);
    const got = (await claim(10)).jobs.map((j) => j.id);
    const [p1, early, plain, p1b] = jobs.map((j) => j.id);
    expect(got).toEqual([p1, p1b, early, plain]);
  });

  it("applies key rate windows, with wakeAt at the window's end and overrides winning", async () => {
    const rate = { keyRateLimit: { limit: 2, windowMs: 1000 } };
    await enqueue([1, 2, 3, 4].map(() => job({ concurrencyKey: "a" })));
    await enqueue([1, 2, 3].map(() => job({ concurrencyKey: "b" })));
    await backend.setKeyLimits({ ...scope(), key: "b", rateLimit: { limit: 1, windowMs: 500 } });
    expect(await backend.getKeyLimits({ ...scope(), key: "b" })).toEqual({
      concurrency: null,
      rateLimit: { limit: 1, windowMs: 500 },
    });
    const first = await claim(10, rate, NOW + 100);
    expect(keysOf(first.jobs).sort()).toEqual(["a", "a", "b"]);
    expect(first.wakeAt).toBe(NOW + 500);
    expect((await claim(10, rate, NOW + 499)).jobs).toEqual([]);
    const second = await claim(10, rate, NOW + 500);
    expect(keysOf(second.jobs)).toEqual(["b"]);
    expect(second.wakeAt).toBe(NOW + 1000);
    expect(keysOf((await claim(10, rate, NOW + 1000)).jobs).sort()).toEqual(["a", "a", "b"]);
    await backend.setKeyLimits({ ...scope(), key: "b", rateLimit: null });
    expect(await backend.getKeyLimits({ ...scope(), key: "b" })).toEqual({
      concurrency: null,
      rateLimit: null,
    });
  });

  it("skips jobs of a type out of starts, and reports when its window opens", async () => {
    const limits = { typeRateLimits: [{ type: "slow", limit: 1, windowMs: 60_000 }] };
    await enqueue([job({ type: "slow" }), job({ type: "slow" }), job({ type: "fast" })]);
    const first = await claim(10, limits);
    expect(first.jobs.map((j) => j.type)).toEqual(["slow", "fast"]);
    expect(first.wakeAt).toBe(NOW - (NOW % 60_000) + 60_000);
    expect((await claim(10, limits, NOW + 60_000)).jobs.map((j) => j.type)).toEqual(["slow"]);
  });

  it("ranks a lane by its first job that may start when its head's type is out of starts", async () => {
    const limits = { typeRateLimits: [{ type: "slow", limit: 1, windowMs: 60_000 }] };
    const first = job({ type: "slow", concurrencyKey: "u" });
    await enqueue([first]);
    expect((await claim(1, limits)).jobs.map((j) => j.id)).toEqual([first.id]); // uses "slow"
    const blocked = job({ type: "slow", priority: 5, concurrencyKey: "a" });
    const low = job({ priority: 1, concurrencyKey: "a" });
    const mid = job({ priority: 3, concurrencyKey: "b" });
    const plainBlocked = job({ type: "slow", priority: 9 });
    const plainLow = job({ priority: 2 });
    await enqueue([blocked, low, mid, plainBlocked, plainLow]);
    const got = (await claim(10, limits)).jobs.map((j) => j.id);
    expect(got).toEqual([mid.id, plainLow.id, low.id]);
    await expectLanesConsistent();
    // Once the window opens, the blocked heads run first again.
    const later = (await claim(10, limits, NOW + 60_000)).jobs.map((j) => j.id);
    expect(later).toEqual([plainBlocked.id]);
    await expectLanesConsistent();
  });

  it("answers a re-sent claim with the same jobs and counts nothing twice", async () => {
    const limits = { keyConcurrency: 1, keyRateLimit: { limit: 5, windowMs: 60_000 } };
    await enqueue([
      job({ concurrencyKey: "a" }),
      job({ concurrencyKey: "a" }),
      job({ concurrencyKey: "b" }),
    ]);
    await setLimits(limits);
    const input = claimInput(10);
    const first = await backend.claim(input);
    expect(await backend.claim(input)).toEqual(first);
    expect(keysOf(first.jobs)).toEqual(["a", "b"]);
    const active = await admin.hgetall(`jt:{${name}}:key-active`);
    expect(active).toEqual({ a: "1", b: "1" });
  });

  it("frees a key's slot on every way out of active and keeps the lane index right", async () => {
    const limits = { keyConcurrency: 1 };
    await enqueue(Array.from({ length: 6 }, () => job({ concurrencyKey: "a", maxAttempts: 1 })));
    const take = async (now = NOW) => {
      const [j] = (await claim(1, limits, now)).jobs;
      expect(j?.concurrencyKey).toBe("a");
      return j as Claimed;
    };
    const held = (j: Claimed, now = NOW) => ({ ...scope(now), id: j.id, token: j.token });
    expect(await complete(await take())).toBe(true);
    expect(await backend.release(held(await take()))).toBe(true);
    const failing = await take();
    expect(
      await backend.fail({ ...held(failing), error: "{}", retryAt: null, expiresAt: NOW + 1 }),
    ).toBe(true);
    expect(
      await backend.cancel({ ...scope(), id: (await take()).id, callId: "c", expiresAt: NOW + 1 }),
    ).toBe("cancelled");
    await take(); // lease expires: dead-lettered at the next claim (maxAttempts 1)
    await take(NOW + 600_000);
    expect((await backend.stats(scope(NOW + 600_000))).active).toBe(1);
    await backend.purge({ ...scope(NOW + 600_000), states: ["active"] });
    expect(await admin.hgetall(`jt:{${name}}:key-active`)).toEqual({});
    await take(NOW + 600_000);
    await backend.purge(scope(NOW + 600_000));
    expect(await laneKeys()).toEqual([]);
  });

  it("materialises due schedules in the claim, once per tick, and asks for refills", async () => {
    const spec: ScheduleSpec = {
      id: "every-minute",
      cron: "* * * * *",
      timezone: null,
      type: "tick",
      payload: '{"n":1}',
      priority: 0,
      maxAttempts: 1,
      backoff: null,
      concurrencyKey: "cron",
      catchUp: "latest",
    };
    const ticks = [1, 2, 3, 4, 5].map((n) => NOW + n * 60_000);
    await backend.putSchedule({ ...scope(), schedule: spec, upcoming: ticks });
    await backend.putSchedule({ ...scope(), schedule: spec, upcoming: ticks }); // re-sent
    const [stored] = await backend.listSchedules(scope());
    expect(stored).toMatchObject({ ...spec, upcoming: ticks, lastTickAt: null, version: 1 });
    expect((await claim(5)).jobs).toEqual([]);
    // Two ticks due: `latest` fires only the last; 3 left (< 4): refill asked.
    const at = NOW + 2 * 60_000 + 5;
    const outcome = await claim(5, {}, at);
    expect(outcome.jobs.map((j) => j.id)).toEqual([
      scheduledJobId(name, "every-minute", ticks[1] as number),
    ]);
    expect(outcome.jobs[0]).toMatchObject({
      concurrencyKey: "cron",
      runAt: ticks[1],
      type: "tick",
    });
    expect(outcome.refill).toEqual([
      expect.objectContaining({
        id: "every-minute",
        upcoming: ticks.slice(2),
        lastTickAt: ticks[1],
        version: 2,
      }),
    ]);
    // Another claim at that time answers the same (as a re-sent one would); a later one not.
    expect((await claim(5, {}, at)).refill.map((s) => s.id)).toEqual(["every-minute"]);
    expect((await claim(5, {}, at + 1)).refill).toEqual([]);
    // Refill fenced by version; a fired tick whose job exists creates nothing.
    const refill = {
      ...scope(at),
      id: "every-minute",
      fire: [ticks[1] as number],
      upcoming: ticks.slice(2),
      lastTickAt: ticks[1] as number,
    };
    expect(await backend.refillSchedule({ ...refill, version: 1 })).toBe(false);
    expect(await backend.refillSchedule({ ...refill, version: 2 })).toBe(true);
    expect(await backend.refillSchedule({ ...refill, version: 2 })).toBe(false); // fenced
    expect((await backend.stats(scope(at))).active).toBe(1);
    expect((await backend.listSchedules(scope()))[0]?.version).toBe(3);
    // Exhausted: nothing fired, returned for refilling on every claim until refilled.
    const late = NOW + 10 * 60_000;
    const exhausted = await claim(5, {}, late);
    expect(exhausted.jobs).toEqual([]);
    expect(exhausted.refill.map((s) => s.id)).toEqual(["every-minute"]);
    expect(await backend.deleteSchedule({ ...scope(), id: "none" })).toBe(false);
    expect(await backend.deleteSchedule({ ...scope(), id: "every-minute" })).toBe(true);
    expect(await backend.listSchedules(scope())).toEqual([]);
  });

  it("reports wakeAt and refills from completeAndClaim, refills on a group's first member", async () => {
    const spec: ScheduleSpec = {
      id: "s",
      cron: "* * * * *",
      timezone: null,
      type: "t",
      payload: "1",
      priority: 0,
      maxAttempts: 1,
      backoff: null,
      concurrencyKey: null,
      catchUp: "latest",
    };
    const upcoming = [NOW + 1, NOW + 2, NOW + 600_000];
    await backend.putSchedule({ ...scope(), schedule: spec, upcoming });
    await enqueue([1, 2, 3].map(() => job({ concurrencyKey: "a" })));
    await enqueue([job()]);
    const limits = { keyRateLimit: { limit: 1, windowMs: 60_000 } };
    const [first, second] = (await claim(2, limits)).jobs as [Claimed, Claimed];
    expect([first.concurrencyKey, second.concurrencyKey]).toEqual(["a", null]);
    const next = (j: Claimed) => ({
      id: j.id,
      token: j.token,
      result: "1",
      expiresAt: NOW + 60_000,
      next: claimInput(5, NOW + 5),
    });
    const at = NOW + 5; // two ticks due: the last fires, one left (< 4): refill
    const [one, two] =
      (await backend.completeAndClaimMany({
        ...scope(at),
        items: [next(first), next(second)],
      })) ?? [];
    expect(one?.completed).toBe(true);
    expect(one?.claimed.map((j) => j.id)).toEqual([scheduledJobId(name, "s", NOW + 2)]);
    expect(one?.refill.map((r) => r.id)).toEqual(["s"]);
    expect(one?.wakeAt).toBe(NOW - (NOW % 60_000) + 60_000);
    expect(two?.refill).toEqual([]);
    expect(two?.wakeAt).toBe(NOW - (NOW % 60_000) + 60_000);
  });

  /** Server-side commands per run of op (the EVALSHA included). */
  const commandsPer = async (runs: number, op: () => Promise<unknown>) => {
    await admin.config("RESETSTAT");
    for (let i = 0; i < runs; i++) await op();
    const info = await admin.info("commandstats");
    const total = [...info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)]
      .filter((m) => m[1] !== "info" && m[1] !== "config")
      .reduce((sum, m) => sum + Number(m[2]), 0);
    return total / runs;
  };

  it("claims a queue without keyed jobs or type limits the plain way, settings or not", async () => {
    /** Commands per claim of 2 on a fresh queue of 40 jobs stored with these settings. */
    const perClaim = async (limits?: Partial<QueueLimits>) => {
      name = uniqueName();
      if (limits) await setLimits(limits);
      await enqueue(Array.from({ length: 40 }, () => job()));
      await claim(2); // the first call of each script is an EVAL
      return commandsPer(10, async () => expect((await claim(2)).jobs).toHaveLength(2));
    };
    const plain = await perClaim();
    // The plain way throughout: stored settings cost only their read.
    expect(plain).toBe(20);
    expect(await perClaim({ keyConcurrency: 2, keyRateLimit: { limit: 5, windowMs: 1000 } })).toBe(
      plain + 1,
    );
    const typed = await perClaim({ typeRateLimits: [{ type: "x", limit: 1, windowMs: 1000 }] });
    // An empty claim of a plain queue: the EVALSHA, the sweep's two reads, the probe, the lane.
    name = uniqueName();
    const empty = () => claim(2).then(({ jobs }) => expect(jobs).toEqual([]));
    await empty();
    expect(await commandsPer(5, empty)).toBe(5);
    console.log(`claim(2), plain queue: ${plain} commands; with a type limit: ${typed}`);
  });

  it("claims in O(log n): commands per claim with a 10,000-job key and 1,000 keys", async () => {
    await setLimits({ keyConcurrency: 1 });
    for (let i = 0; i < 10; i++) {
      await enqueue(Array.from({ length: 1000 }, () => job({ concurrencyKey: "big" })));
    }
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    await enqueue(
      keys.flatMap((key) => [job({ concurrencyKey: key }), job({ concurrencyKey: key })]),
    );
    const full = async () => expect((await claim(10)).jobs).toHaveLength(10);
    const early = await commandsPer(20, full);
    const late = await commandsPer(80, full);
    // Every key has a job active (limit 1): the next claim parks each lane, once.
    expect((await claim(10)).jobs).toHaveLength(1);
    expect(await admin.hget(`jt:{${name}}:parked`, "big")).toBe("full");
    const idle = await commandsPer(5, async () => expect((await claim(10)).jobs).toEqual([]));
    console.log(
      `claim(10) with a 10,000-job key and 1,000 keys: ${early} commands per claim at first, ` +
        `${late} later, ${idle} with every lane full`,
    );
    expect(Math.max(early, late)).toBeLessThan(400);
    expect(idle).toBeLessThan(20);
    await backend.purge(scope());
    expect(await laneKeys()).toEqual([]);
  }, 60_000);
});
