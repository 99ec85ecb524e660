import { d1Backend } from "../../src/backends/d1/index.js";
import { testBackend } from "../../src/testing/index.js";
import { type MiniflareD1, startMiniflareD1 } from "../support/miniflare-d1.js";

let d1: MiniflareD1 | undefined;
testBackend({
  name: "d1 (miniflare getD1Database)",
  create: async () => {
    d1 = await startMiniflareD1();
    return d1Backend(d1.db);
  },
  teardown: () => d1?.dispose(),
  // Every call crosses miniflare's proxy to workerd: ~5 ms a differential call here (100 calls
  // ran in 0.3-0.8 s per configuration on 2 shared cores, 2026-12-07), so 300 keep the 20
  // configurations near 30 s, and the whole file well under 60 s.
  differentialOps: 150,
});
