import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PEERS_MISSING, peersInstalled } from "../../bench/peers/index.js";
import { redisUrl } from "../support/redis-clients.js";

const root = new URL("../..", import.meta.url).pathname;

describe.skipIf(!redisUrl)("npm run bench (smoke)", () => {
  it("runs every section end to end on tiny sizes (numbers are printed, never asserted)", async () => {
    const { stdout } = await promisify(execFile)(
      "node",
      ["--import", "tsx", "bench/run.ts", "--smoke"],
      { cwd: root, timeout: 240_000 },
    );
    for (const section of [
      "1. Throughput",
      "10 workers × concurrency 1",
      "10 workers × concurrency 5",
      "jobs/s cold",
      "client µs/job warm",
      "redis µs/job warm",
      "No ratios to the peers", // smoke sizes never warm BullMQ
      "WAL written per job",
      "ours, libSQL file",
      "2. Store calls",
      "3. Idle cost",
      "4. Memory",
      "5. SSE latency",
      "6. Cloudflare",
      "7. Cloudflare stores, local (miniflare)",
    ]) {
      expect(stdout).toContain(section);
    }
    // The peers live in bench/node_modules (installed by `npm run bench`): without them the
    // bench says so; with them their rows are there. Never skipped silently.
    if (peersInstalled()) {
      expect(stdout).not.toContain(PEERS_MISSING);
      expect(stdout).toContain("BullMQ worker");
      expect(stdout).toContain("BullMQ 6 (TCP)");
      expect(stdout).toContain("plainjob (better-sqlite3)");
    } else {
      expect(stdout).toContain(PEERS_MISSING);
    }
  }, 270_000);
});
