/** Builds a Worker exactly as `wrangler deploy` would ship it, and measures the bundle. */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { tempDir } from "./temp-dir.js";

const root = new URL("../..", import.meta.url).pathname;

export interface BuiltWorker {
  scriptPath: string;
  rawBytes: number;
  gzipBytes: number;
  remove(): void;
}

/**
 * `wrangler deploy --dry-run` with the Cloudflare example's `wrangler.toml` (minified, as
 * deployed): the example, or `entry` (a path from the project root) in its place. `project`
 * builds another Worker project instead: `wrangler.toml` in that folder, its own node_modules.
 */
export async function buildWorker(entry?: string, project?: string): Promise<BuiltWorker> {
  const out = tempDir("jdobb-worker-");
  const config = project ? "wrangler.toml" : "examples/cloudflare/wrangler.toml";
  await promisify(execFile)(
    join(root, "node_modules/.bin/wrangler"),
    ["deploy", "--dry-run", "--config", config, "--outdir", out.path, ...(entry ? [entry] : [])],
    {
      cwd: project ?? root,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
    },
  );
  const script = readdirSync(out.path).find((name) => name.endsWith(".js"));
  if (!script) throw new Error(`wrangler wrote no script to ${out.path}`);
  const scriptPath = join(out.path, script);
  const code = readFileSync(scriptPath);
  return {
    scriptPath,
    rawBytes: code.length,
    gzipBytes: gzipSync(code).length,
    remove: out.remove,
  };
}
