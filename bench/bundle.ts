/**
 * Bundle size of the Cloudflare example Worker as `wrangler deploy --dry-run` builds it (minified,
 * per `examples/cloudflare/wrangler.toml`): with both backends, as shipped, and with one backend only
 * (`bench/bundle/*.ts`), which is what a Worker importing just that backend deploys.
 */
import { buildWorker } from "../test/support/build-worker.js";

export interface BundleSize {
  worker: string;
  rawBytes: number;
  gzipBytes: number;
}

const WORKERS: Array<[worker: string, entry: string | undefined]> = [
  ["both backends (examples/cloudflare)", undefined],
  ["Redis only (Upstash REST)", "bench/bundle/redis-only.ts"],
  ["libSQL only (HTTP)", "bench/bundle/libsql-only.ts"],
];

/** Builds each Worker in turn and measures it. */
export async function bundleSizes(): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [];
  for (const [worker, entry] of WORKERS) {
    const built = await buildWorker(entry);
    built.remove();
    sizes.push({ worker, rawBytes: built.rawBytes, gzipBytes: built.gzipBytes });
  }
  return sizes;
}
