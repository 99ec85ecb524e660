/** Bundles `jdobb-async-queue/client` (eventsource-parser included) with esbuild. */
import { build } from "esbuild";

const entry = new URL("../../src/client/index.ts", import.meta.url).pathname;

/**
 * The client as one minified ESM file for `platform` (browser: what a web app ships), or a
 * Worker module that imports it when `worker` is given (its source, resolving the client as
 * `client`).
 */
export async function bundleClient(
  options: { conditions?: string[]; worker?: string; minify?: boolean } = {},
): Promise<string> {
  const result = await build({
    ...(options.worker
      ? { stdin: { contents: options.worker, resolveDir: process.cwd(), loader: "ts" } }
      : { entryPoints: [entry] }),
    alias: { client: entry },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    conditions: options.conditions ?? [],
    minify: options.minify ?? true,
    logLevel: "silent",
  });
  return result.outputFiles[0]?.text ?? "";
}
