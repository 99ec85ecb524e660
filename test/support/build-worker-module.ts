/**
 * Bundles a Worker module for workerd with esbuild (as wrangler would, without its checks):
 * resolved with the Workers conditions, `cloudflare:*` left to the runtime. Also the Miniflare
 * options that run such a module (tests and bench/cloudflare-stores.ts).
 */
import { dirname, join } from "node:path";
import { build } from "esbuild";
import { tempDir } from "./temp-dir.js";

const root = new URL("../..", import.meta.url).pathname;

/** A bundled Worker script and how to remove it. */
export interface BundledScript {
  scriptPath: string;
  remove(): void;
}

/** Bundles `entry` (default: the queue-object fixture) into one ES module. */
export async function bundleWorkerModule(
  entry = join(root, "test/runtimes/fixtures/queue-object-worker.ts"),
): Promise<BundledScript> {
  const dir = tempDir("jdobb-do-");
  const scriptPath = join(dir.path, "worker.mjs");
  await build({
    entryPoints: [entry],
    outfile: scriptPath,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    external: ["cloudflare:*"],
    logLevel: "error",
  });
  return { scriptPath, remove: dir.remove };
}

/** Miniflare options that run a bundled module with the project's compatibility date. */
export function moduleOptions(script: BundledScript) {
  return {
    modules: true,
    scriptPath: script.scriptPath,
    modulesRoot: dirname(script.scriptPath),
    compatibilityDate: "2026-04-20",
  } as const;
}
