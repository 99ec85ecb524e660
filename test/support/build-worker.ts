/** Builds the Worker exactly as `wrangler deploy` would ship it, and measures the bundle. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
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

export async function buildWorker(): Promise<BuiltWorker> {
  const out = tempDir("jdobb-worker-");
  await promisify(execFile)(
    join(root, "node_modules/.bin/wrangler"),
    ["deploy", "--dry-run", "--outdir", out.path],
    { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" } },
  );
  const scriptPath = join(out.path, "worker.js");
  const code = readFileSync(scriptPath);
  return {
    scriptPath,
    rawBytes: code.length,
    gzipBytes: gzipSync(code).length,
    remove: out.remove,
  };
}
