/**
 * `upstashRest`, the backend's own Upstash REST client (EVAL / EVALSHA only): the conformance
 * suite through it against the local REST endpoint, and how it reports what went wrong.
 */
import { describe, expect, it } from "vitest";
import {
  startUpstashRestServer,
  type UpstashRestServer,
} from "../../devtools/upstash-rest-server.js";
import { redisBackend, upstashRest } from "../../src/backends/redis/index.js";
import { scriptError } from "../../src/backends/redis/script-runner.js";
import { BackendError, BackendUnavailableError, type Job, JobQueue } from "../../src/index.js";
import { testBackend } from "../../src/testing/index.js";
import { redisUrl } from "../support/redis-clients.js";
import { startSilentServer } from "../support/silent-server.js";

const uniqueName = () => `rr-${crypto.randomUUID().slice(0, 8)}`;

describe("upstashRest options", () => {
  it("refuses a URL that is not http(s) and an empty token at once", () => {
    expect(() => upstashRest({ url: "redis://x", token: "t" })).toThrow(/url/);
    expect(() => upstashRest({ url: "https://x.upstash.io", token: "" })).toThrow(/token/);
  });

  it("refuses a timeout that is not above 0; Infinity is no limit", () => {
    const withTimeout = (timeoutMs: number) => () =>
      upstashRest({ url: "https://x.upstash.io", token: "t", timeoutMs });
    for (const timeoutMs of [0, -1, Number.NaN]) {
      expect(withTimeout(timeoutMs)).toThrow(/timeoutMs/);
    }
    expect(withTimeout(Number.POSITIVE_INFINITY)).not.toThrow();
  });

  it("gives up on an endpoint that never answers after timeoutMs, as unavailable", async () => {
    const silent = await startSilentServer();
    try {
      const redis = upstashRest({ url: silent.url, token: "x", timeoutMs: 50 });
      const queue = new JobQueue({ backend: redisBackend({ redis }) });
      const failed = await queue.enqueue("t", null).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(BackendUnavailableError);
      expect((failed as BackendUnavailableError).code).toBe("BACKEND_UNAVAILABLE");
    } finally {
      await silent.close();
    }
  });

  it("reports an unreachable endpoint as BackendUnavailableError", async () => {
    const redis = upstashRest({ url: "http://127.0.0.1:9", token: "x" });
    const queue = new JobQueue({ backend: redisBackend({ redis }) });
    await expect(queue.enqueue("t", null)).rejects.toBeInstanceOf(BackendUnavailableError);
  });
});

if (!redisUrl) {
  describe.skip("upstashRest (redis-server not installed)", () => it("skipped", () => {}));
} else {
  let closeEndpoint = async () => {};
  testBackend({
    name: "redis via upstashRest → local REST endpoint",
    create: async () => {
      const endpoint = await startUpstashRestServer({ redisUrl, token: "test-token" });
      closeEndpoint = () => endpoint.close();
      return redisBackend({ redis: upstashRest(endpoint), prefix: "jt" });
    },
    teardown: () => closeEndpoint(),
  });

  describe("upstashRest against the local REST endpoint", () => {
    const withEndpoint = async (test: (endpoint: UpstashRestServer) => Promise<void>) => {
      const endpoint = await startUpstashRestServer({ redisUrl, token: "test-token" });
      try {
        await test(endpoint);
      } finally {
        await endpoint.close();
      }
    };

    it("returns stored strings unchanged (base64 on the wire), in one request per call", () =>
      withEndpoint(async (endpoint) => {
        const backend = redisBackend({ redis: upstashRest(endpoint), prefix: "jt" });
        const queue = new JobQueue({ backend, name: uniqueName() });
        for (const payload of ["1", "OK", "dGVzdA==", "zwölf €", { a: [1, "2"] }, null]) {
          const id = await queue.enqueue("t", payload);
          endpoint.resetCounts();
          const job = (await queue.claim()) as Job;
          expect(endpoint.requests).toBe(1);
          expect(job.payload).toEqual(payload);
          await queue.complete(job, payload);
          expect((await queue.get(id))?.result).toEqual(payload);
        }
        await queue.purge();
      }));

    it("says a wrong token is the store being unavailable, a script's error a refusal", () =>
      withEndpoint(async (endpoint) => {
        const wrong = upstashRest({ url: endpoint.url, token: "wrong" });
        const denied = new JobQueue({ backend: redisBackend({ redis: wrong }) });
        await expect(denied.enqueue("t", null)).rejects.toBeInstanceOf(BackendUnavailableError);
        const redis = upstashRest(endpoint);
        await expect(redis.eval("return redis.error_reply('ERR nope')", [], [])).rejects.toThrow(
          "ERR nope",
        );
        const refused = await redis
          .eval("return redis.error_reply('ERR nope')", [], [])
          .catch((error: unknown) => scriptError("redis(http)", error));
        expect(refused).toBeInstanceOf(BackendError);
      }));

    it("streams a subscription's confirmation before its messages, however soon they come", () =>
      withEndpoint(async (endpoint) => {
        const channel = `ch-${uniqueName()}`;
        const publisher = upstashRest(endpoint);
        // Messages published while the stream opens can reach the endpoint in the same read as
        // Redis's confirmation; 20 streams opened under a stream of publishes make that likely.
        let publishing = true;
        const published = (async () => {
          for (let i = 0; publishing && i < 2_000; i++) {
            await publisher.eval(
              "return redis.call('PUBLISH', KEYS[1], ARGV[1])",
              [channel],
              [`${i}`],
            );
          }
        })();
        const firstLines = await Promise.all(
          Array.from({ length: 20 }, async () => {
            const response = await fetch(`${endpoint.url}/subscribe/${channel}`, {
              method: "POST",
              headers: { authorization: `Bearer ${endpoint.token}` },
              body: "[]",
            });
            const reader = response.body?.getReader() as ReadableStreamDefaultReader<Uint8Array>;
            const { value } = await reader.read();
            await reader.cancel();
            return new TextDecoder().decode(value).split("\n")[0];
          }),
        );
        publishing = false;
        await published;
        for (const line of firstLines) expect(line).toMatch(/^data: subscribe,/);
      }));
  });
}
