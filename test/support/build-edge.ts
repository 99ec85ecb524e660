/**
 * Bundles the Vercel example's route (or `route`, e.g. a copy of it) for Vercel's Edge runtime
 * (the `edge-runtime` package): one IIFE, resolved with the edge conditions, environment
 * inlined as Vercel does, and a fetch listener that dispatches by method and provides
 * `@vercel/functions`' request context (so `waitUntil` reaches the event). Its imports resolve
 * from the route's folder, with the `tsconfig.json` nearest to it.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { tempDir } from "./temp-dir.js";

const root = new URL("../..", import.meta.url).pathname;
const exampleRoute = join(root, "examples/vercel/app/api/queue/[...path]/route.ts");

export async function buildEdgeRoute(
  env: Record<string, string>,
  route = exampleRoute,
): Promise<string> {
  const dir = tempDir("jdobb-edge-");
  const entry = join(dir.path, "entry.ts");
  writeFileSync(
    entry,
    `import * as route from ${JSON.stringify(route)};
     const context = Symbol.for("@vercel/request-context");
     addEventListener("fetch", (event) => {
       globalThis[context] = { get: () => ({ waitUntil: (p) => event.waitUntil(p) }) };
       const handler = route[event.request.method];
       event.respondWith(handler ? handler(event.request) : new Response(null, { status: 405 }));
     });`,
  );
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    conditions: ["edge-light", "worker", "browser"],
    define: Object.fromEntries(
      Object.entries(env).map(([key, value]) => [`process.env.${key}`, JSON.stringify(value)]),
    ),
    // Vercel's Edge runtime has a minimal `process` (env only); the edge-runtime package not.
    banner: { js: "globalThis.process ??= { env: {} };" },
    logLevel: "silent",
  });
  dir.remove();
  return result.outputFiles[0]?.text ?? "";
}
