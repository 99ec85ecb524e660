/**
 * Pushed progress over a real redis-server (feature `push`): followers read on notice, across
 * a dropped subscription with no gap and no duplicate, over TCP and REST; a store that refuses
 * SUBSCRIBE leaves them polling; a job nobody watches publishes nothing.
 */
import { Redis as IORedis, type RedisOptions } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Backend } from "../../src/backend.js";
import { fromIoredis, redisBackend, upstashRest } from "../../src/backends/redis/index.js";
import { Broadcaster, type Job, JobQueue, type JobUpdate, ManualClock } from "../../src/index.js";
import { until } from "../support/memory-queue.js";
import { redisUrl, upstashSetup } from "../support/redis-clients.js";

/** Follows `id` on `queue`, collecting what arrives. */
function follow(queue: JobQueue, id: string) {
  const seen: JobUpdate[] = [];
  const done = (async () => {
    for await (const update of new Broadcaster(queue).subscribe(id)) seen.push(update);
  })();
  return { seen, done };
}

/** The types of the updates, and that their sequence numbers rise by one (no gap, no repeat). */
function expectGapless(seen: JobUpdate[], types: string[]) {
  expect(seen.map((u) => u.type)).toEqual(types);
  expect(seen.map((u) => u.seq)).toEqual(seen.map((_, i) => (seen[0]?.seq ?? 0) + i));
}

const LIFE = ["snapshot", "active", "progress", "progress", "progress", "completed"];

describe.skipIf(!redisUrl)("pushed progress over Redis", () => {
  let admin: IORedis;
  const opened: Array<{ disconnect(): void }> = [];
  beforeAll(() => {
    admin = new IORedis(redisUrl);
  });
  afterAll(() => {
    for (const client of opened) client.disconnect();
    admin.disconnect();
  });
  const tcp = (options: RedisOptions = {}) => {
    const client = new IORedis(redisUrl, { maxRetriesPerRequest: 1, ...options });
    opened.push(client);
    return redisBackend({ redis: fromIoredis(client), prefix: "jp" });
  };
  /**
   * A follower and a writer on separate backends (as two processes), on a clock that never
   * moves: only notices can wake the follower.
   */
  const pair = (follower: Backend, writer: Backend) => {
    const clock = new ManualClock();
    const name = `push-${Math.random().toString(36).slice(2, 10)}`;
    const options = { clock, name, progressIntervalMs: 0 };
    return {
      clock,
      reader: new JobQueue({ ...options, backend: follower }),
      writer: new JobQueue({ ...options, backend: writer }),
    };
  };
  /** Runs a job's life on `writer`, calling `drop` after the first update. */
  const lifeWithDrop = async (
    { clock, reader, writer }: ReturnType<typeof pair>,
    drop: () => Promise<void> | void,
  ) => {
    const id = await writer.enqueue("t", null);
    const followed = follow(reader, id);
    await clock.untilSleeping(1);
    const job = (await writer.claim()) as Job;
    await writer.update(job, { progress: 0.25 });
    await until(() => followed.seen.length === 3, "the first update");
    await drop();
    await writer.update(job, { progress: 0.5 }); // its notice may be lost: the reset covers it
    await writer.update(job, { progress: 0.75 });
    await writer.complete(job, null);
    await followed.done;
    expectGapless(followed.seen, LIFE);
  };

  it("over TCP, reads on notice and resumes gaplessly after the subscriber connection drops", async () => {
    await lifeWithDrop(pair(tcp(), tcp()), async () => {
      await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
    });
  });

  it("over REST (upstashRest and @upstash/redis), the same across a dropped stream", async () => {
    const { endpoint, redis } = await upstashSetup();
    const rest = redisBackend({
      redis: upstashRest({ url: endpoint.url, token: endpoint.token }),
      prefix: "jp",
    });
    try {
      await lifeWithDrop(pair(rest, tcp()), () => endpoint.dropSubscriptions());
      const viaUpstash = pair(redisBackend({ redis, prefix: "jp" }), tcp());
      const id = await viaUpstash.writer.enqueue("t", null);
      const followed = follow(viaUpstash.reader, id);
      await viaUpstash.clock.untilSleeping(1);
      await viaUpstash.writer.cancel(id);
      await followed.done;
      expectGapless(followed.seen, ["snapshot", "cancelled"]);
    } finally {
      await endpoint.close();
    }
  });

  it("shares one subscription among many followers of many jobs", async () => {
    const { clock, reader, writer } = pair(tcp(), tcp());
    const ids = await Promise.all(Array.from({ length: 10 }, (_, i) => writer.enqueue("t", i)));
    const followers = ids.flatMap((id) => [follow(reader, id), follow(reader, id)]);
    await clock.untilSleeping(followers.length);
    const channel = `jp:{${reader.name}}:notices`;
    expect(await admin.pubsub("NUMSUB", channel)).toEqual([channel, 1]);
    for (const id of ids) await writer.cancel(id);
    for (const followed of followers) {
      await followed.done;
      expectGapless(followed.seen, ["snapshot", "cancelled"]);
    }
    await until(async () => (await admin.pubsub("NUMSUB", channel))[1] === 0, "unsubscribe");
  });

  it("publishes nothing for a job nobody watches, one notice per event for a watched one", async () => {
    const publishes = async () => {
      const stats = (await admin.info("commandstats")).match(/cmdstat_publish:calls=(\d+)/);
      return Number(stats?.[1] ?? 0);
    };
    const { clock, reader, writer } = pair(tcp(), tcp());
    const before = await publishes();
    const quiet = await writer.enqueue("t", null);
    const quietJob = (await writer.claim()) as Job;
    await writer.complete(quietJob, null);
    expect(quietJob.id).toBe(quiet);
    expect(await publishes()).toBe(before);
    const id = await writer.enqueue("t", null);
    const followed = follow(reader, id);
    await clock.untilSleeping(1);
    await writer.complete((await writer.claim()) as Job, null);
    await followed.done;
    expect(await publishes()).toBe(before + 2); // active, completed
  });

  it("polls, with one warning, when the store refuses SUBSCRIBE", async () => {
    await admin.acl("SETUSER", "pushless", "on", ">secret", "~*", "&*", "+@all", "-subscribe");
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const { clock, reader, writer } = pair(
        tcp({ username: "pushless", password: "secret" }),
        tcp(),
      );
      const id = await writer.enqueue("t", null);
      const followed = follow(reader, id);
      await until(() => warn.mock.calls.length > 0, "the warning");
      await writer.cancel(id);
      for (let i = 0; i < 40 && followed.seen.length < 2; i++) await clock.advance(500);
      await followed.done;
      expectGapless(followed.seen, ["snapshot", "cancelled"]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toMatch(/PUSH_UNAVAILABLE/);
    } finally {
      warn.mockRestore();
      await admin.acl("DELUSER", "pushless");
    }
  });
});
