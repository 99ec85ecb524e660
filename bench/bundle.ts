/**
 * Bundle sizes of the Cloudflare example Worker as `wrangler deploy --dry-run` builds it (per
 * `examples/cloudflare/wrangler.toml`): unminified, minified (as deployed) and minified + gzip,
 * for each shape in {@link WORKERS}: `bench/bundle/*.ts` are the example's Worker
 * (`examples/cloudflare/queue-worker.ts`) around one store or two, without the dashboard; the
 * example as shipped has every store and the dashboard. `test/package/bundle-budgets.test.ts` holds them to their budgets.
 */
import { buildWorker } from "../test/support/build-worker.js";

export interface BundleSize {
  worker: string;
  /** Bundled, not minified. */
  rawBytes: number;
  /** As deployed: minified (no name-keeping), as the example's wrangler.toml says. */
  minBytes: number;
  /** Minified, then gzip (what the Workers size limits count). */
  gzipBytes: number;
}

/** The shape with the Durable Object store alone (section 7 cites it). */
export const DURABLE_OBJECT_ONLY = "Durable Object only, routes";

/** The shapes measured: a label and the entry (undefined: the example as shipped). */
export const WORKERS: Array<[worker: string, entry: string | undefined]> = [
  ["Redis only, routes (upstashRest)", "bench/bundle/redis-only.ts"],
  ["Redis only, routes (@upstash/redis)", "bench/bundle/redis-upstash-sdk.ts"],
  ["Redis only, routes + cron (schedules)", "bench/bundle/redis-cron.ts"],
  ["libSQL only, routes (HTTP)", "bench/bundle/libsql-only.ts"],
  [DURABLE_OBJECT_ONLY, "bench/bundle/durable-object-only.ts"],
  ["D1 only, routes", "bench/bundle/d1-only.ts"],
  ["Upstash + Turso, routes (no dashboard)", "bench/bundle/both-stores.ts"],
  ["every store, routes + dashboard (example)", undefined],
];

/** Builds each Worker in turn, minified and not, and measures it. */
export async function bundleSizes(): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [];
  for (const [worker, entry] of WORKERS) {
    const raw = await buildWorker(entry, { minify: false });
    raw.remove();
    const min = await buildWorker(entry);
    min.remove();
    sizes.push({
      worker,
      rawBytes: raw.rawBytes,
      minBytes: min.rawBytes,
      gzipBytes: min.gzipBytes,
    });
  }
  return sizes;
}

/** The sizes as a table's rows: KiB, one decimal. */
export function bundleRows(sizes: BundleSize[]): Array<[string, number, number, number]> {
  const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  return sizes.map((s) => [s.worker, kib(s.rawBytes), kib(s.minBytes), kib(s.gzipBytes)]);
}

// `node --import tsx bench/bundle.ts`: this part of the bench alone.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [worker, raw, min, gzip] of bundleRows(await bundleSizes())) {
    console.log(`${worker.padEnd(45)} raw ${raw} KiB, min ${min} KiB, min+gzip ${gzip} KiB`);
  }
}
