/**
 * `d1Backend` inside workerd, on the Worker's own D1 binding: the conformance suite reaches D1
 * from Node through miniflare's proxy (test/backends/d1.test.ts); this runs the bundled backend
 * where it will run, where rows and errors come straight from the binding.
 */
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type BundledScript,
  bundleWorkerModule,
  moduleOptions,
} from "../support/build-worker-module.js";
import type { D1WorkerReport } from "./fixtures/d1-worker.js";

const fixtures = new URL("./fixtures/", import.meta.url).pathname;
let mf: Miniflare;
let script: BundledScript;
beforeAll(async () => {
  script = await bundleWorkerModule(join(fixtures, "d1-worker.ts"));
  mf = new Miniflare({ ...moduleOptions(script), d1Databases: ["DB"] });
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
  script?.remove();
});

it("runs a job's life on D1 and refuses a row over D1's limit with BACKEND_ERROR", async () => {
  const response = await mf.dispatchFetch("http://worker/");
  const report = (await response.json()) as D1WorkerReport;
  expect(report).toEqual({
    state: "completed",
    result: 42,
    data: { half: true },
    events: ["enqueued", "active", "progress", "completed"],
    tooBig: "BACKEND_ERROR",
    stored: 0,
  });
});
