import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UpstashRestServer } from "../../devtools/upstash-rest-server.js";
import { fromIoredis, redisBackend } from "../../src/backends/redis/index.js";
import { type Backend, JobQueue } from "../../src/index.js";
import { redisUrl, upstashSetup } from "../support/redis-clients.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";

/**
 * A reply lost after Redis ran the script: the client re-sends the same call (ioredis after
 * reconnecting, @upstash/redis by retrying the broken request). The caller must get the answer
 * the first run would have given, and the store must hold the change once.
 */
describe.skipIf(!redisUrl)("redis: a reply lost after the store ran the call", () => {
  let proxy: TcpProxy;
  let tcpClient: IORedis;
  let endpoint: UpstashRestServer;
  let rest: Backend;

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(redisUrl).port));
    tcpClient = new IORedis(`redis://127.0.0.1:${proxy.port}`, {
      maxRetriesPerRequest: 3,
      retryStrategy: () => 10,
    });
    ({ endpoint, backend: rest } = await upstashSetup());
  });
  afterAll(async () => {
    tcpClient.disconnect();
    await proxy.close();
    await endpoint.close();
  });

  /** Runs a job's life with each call's reply dropped once; `drop` arms the fault. */
  async function lifeWithLostReplies(backend: Backend, drop: () => void, dropped: () => number) {
    const queue = new JobQueue({ backend, name: `lost-${crypto.randomUUID().slice(0, 8)}` });
    await queue.enqueue("warm-up", null); // the first call of each script is an EVAL
    await queue.purge();
    const before = dropped();

    drop();
    const id = await queue.enqueue("t", { n: 1 });
    expect(await queue.stats()).toMatchObject({ queued: 1 });

    drop();
    const [job, ...more] = await queue.claimMany(5);
    expect(job?.id).toBe(id);
    expect(more).toEqual([]);
    expect(await queue.stats()).toMatchObject({ queued: 0, active: 1 });

    drop();
    expect(await queue.update(job as NonNullable<typeof job>, { progress: 0.5 })).toBe(true);
    drop();
    expect(await queue.complete(job as NonNullable<typeof job>, { ok: true })).toBe(true);

    drop();
    expect(await queue.cancel(await queue.enqueue("t", { n: 2 }))).toBe(true);

    expect(dropped() - before).toBe(5);
    const events = await queue.readEvents(id);
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, "enqueued"],
      [2, "active"],
      [3, "progress"],
      [4, "completed"],
    ]);
    expect(await queue.stats()).toMatchObject({ queued: 0, active: 0, completed: 1, cancelled: 1 });
    await queue.purge();
  }

  it("over TCP (ioredis re-sends after reconnecting)", async () => {
    const backend = redisBackend({ redis: fromIoredis(tcpClient), prefix: "jt" });
    await lifeWithLostReplies(
      backend,
      () => proxy.dropNextReply(),
      () => proxy.dropped,
    );
  });

  it("over REST (@upstash/redis retries the broken request)", async () => {
    let dropped = 0;
    await lifeWithLostReplies(
      rest,
      () => {
        endpoint.dropReplies(1);
        dropped += 1;
      },
      () => dropped,
    );
  });
});
