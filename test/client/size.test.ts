/** The client stays small: bundled and minified for the browser, eventsource-parser included. */
import { gzipSync } from "node:zlib";
import { expect, it } from "vitest";
import { bundleClient } from "../support/build-client.js";

/** Measured 3,218 bytes gzip (2026-11, esbuild 0.28.2); the ceiling leaves about 10 % room. */
const CEILING_GZIP_BYTES = 3_550;

it(`bundles to under ${CEILING_GZIP_BYTES} bytes gzip (esbuild, browser, minified)`, async () => {
  const code = await bundleClient();
  const gzip = gzipSync(code).length;
  console.log(`jdobb-async-queue/client: ${code.length} bytes minified, ${gzip} bytes gzip`);
  expect(code).not.toMatch(/\bnode:/);
  expect(code).toContain("QueueClientError");
  expect(gzip).toBeLessThan(CEILING_GZIP_BYTES);
});
