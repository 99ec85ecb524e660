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
  // Every call crosses miniflare's proxy to workerd, ~5 ms each here: 150 calls took 0.5-1.2 s
  // per configuration (24 of them), the whole file 30-41 s on 2 shared cores (2026-12-07);
  // the default 2,000 would add 2.5-6 minutes.
  differentialOps: 150,
});
