/**
 * `jdobb-async-queue/client` as one browser module, for the demo page (`/client.js`): bundled
 * with esbuild from the source on first request, kept in memory. A real app ships the client
 * in its own bundle instead.
 */
import { build } from "esbuild";

const entry = new URL("../../src/client/index.ts", import.meta.url).pathname;
let bundle: Promise<string> | undefined;

/** The minified ESM bundle of the client (eventsource-parser included). */
export function clientBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    minify: true,
    logLevel: "silent",
  }).then(
    (result) => result.outputFiles[0]?.text ?? "",
    (error: unknown) => {
      bundle = undefined; // the next request tries again
      throw error;
    },
  );
  return bundle;
}
