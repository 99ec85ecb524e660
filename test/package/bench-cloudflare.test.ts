import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DURABLE_OBJECT_ONLY } from "../../bench/bundle.js";
import { CLOUDFLARE_SIZES } from "../../bench/cloudflare/sizes.js";
import { cloudflareTables } from "../../bench/cloudflare/summary.js";
import { CLOUDFLARE_STORES, measureCloudflareStores } from "../../bench/cloudflare-stores.js";
import {
  startUpstashRestServer,
  type UpstashRestServer,
} from "../../devtools/upstash-rest-server.js";
import { redisUrl } from "../support/redis-clients.js";

describe.skipIf(!redisUrl)("bench section 7: Cloudflare stores in workerd (smoke sizes)", () => {
  let rest: UpstashRestServer;
  beforeAll(async () => {
    rest = await startUpstashRestServer({ redisUrl, token: "bench-cloudflare-token" });
  });
  afterAll(() => rest?.close());

  it("measures every store and saves the figures the tables print (never asserted on)", async () => {
    const sizes = CLOUDFLARE_SIZES.smoke;
    const results = await measureCloudflareStores({ url: rest.url, token: rest.token }, sizes);
    expect(results.environment).toBe("local (miniflare)");
    expect(Object.keys(results.stores)).toEqual(CLOUDFLARE_STORES.map((store) => store.id));
    for (const store of Object.values(results.stores)) {
      expect(store.throughput.runs).toHaveLength(sizes.runs);
      expect(store.throughput.jobsPerSecond).toBeGreaterThan(0);
      expect(store.throughput.storeCallsPerJob).toBeGreaterThan(0);
      expect(store.throughput.runs[0]?.callsByMethod).toHaveProperty("enqueue");
      // workerd's CPU from /proc (Linux); the servers' only when the caller can read them
      expect(store.throughput.workerdCpuMicrosPerJob).toBeGreaterThanOrEqual(0);
      expect(store.throughput.serverCpuMicrosPerJob).toBeNull();
      // every update arrives once; the reader read the log (pushed or polled)
      expect(store.latency.samples).toBe(sizes.updates * sizes.runs);
      expect(store.latency.readerReads).toBeGreaterThan(0);
      expect(store.ceiling.map(({ parallel, queues }) => ({ parallel, queues }))).toEqual(
        sizes.ceiling,
      );
      expect(store.ceiling.every((run) => run.ops > 0)).toBe(true);
    }
    expect(Object.keys(results.durableObjectOver)).toEqual(["upstash", "d1"]);
    expect(results.durableObjectOver.upstash).toBeGreaterThan(0);
    const printed = cloudflareTables(results, (title) => title).join("\n");
    expect(printed).toContain("7. Cloudflare stores, local (miniflare)");
    expect(printed).toContain("7a. Update → reader");
    expect(printed).toContain("7b. One queue's ceiling");
    expect(printed).toContain("Durable Object only, routes");
    // With section 6 in the same run, its Durable Object only bundle is cited by size.
    const bundle = { worker: DURABLE_OBJECT_ONLY, rawBytes: 0, minBytes: 0, gzipBytes: 43_008 };
    expect(cloudflareTables(results, (title) => title, [bundle]).join("\n")).toContain(
      `"${DURABLE_OBJECT_ONLY}"): 42 KiB min+gzip`,
    );
  }, 120_000);
});
