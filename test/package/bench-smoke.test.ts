import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { redisUrl } from "../support/redis-clients.js";

const root = new URL("../..", import.meta.url).pathname;

describe.skipIf(!redisUrl)("npm run bench (smoke)", () => {
  it("runs every section end to end on tiny sizes (numbers are printed, never asserted)", async () => {
    const { stdout } = await promisify(execFile)(
      "node",
      ["--import", "tsx", "bench/run.ts", "--smoke"],
      { cwd: root, timeout: 120_000 },
    );
    for (const section of [
      "1. Throughput",
      "2. Store calls",
      "3. Idle cost",
      "4. Memory",
      "5. SSE latency",
      "6. Cloudflare",
    ]) {
      expect(stdout).toContain(section);
    }
  }, 150_000);
});
