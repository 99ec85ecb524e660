/**
 * `d1Backend` inside workerd, on the Worker's own D1 binding: the conformance suite reaches D1
 * from Node through miniflare's proxy (test/backends/d1.test.ts); this runs the bundled backend
 * where it will run, where rows and errors come straight from the binding.
 */
import { join } from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { D1WorkerReport } from "./fixtures/d1-worker.js";

const fixtures = new URL("./fixtures/", import.meta.url).pathname;
let mf: Miniflare;
beforeAll(async () => {
  const bundled = await build({
    entryPoints: [join(fixtures, "d1-worker.ts")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    logLevel: "silent",
  });
  mf = new Miniflare({
    modules: true,
    script: bundled.outputFiles[0]?.text ?? "",
    compatibilityDate: "2026-04-20",
    d1Databases: ["DB"],
  });
}, 60_000);
afterAll(() => mf?.dispose());

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
