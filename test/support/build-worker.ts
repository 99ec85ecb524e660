/** Builds a Worker exactly as `wrangler deploy` would ship it, and measures the bundle. */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { tempDir } from "./temp-dir.js";

const root = new URL("../..", import.meta.url).pathname;

export interface BuiltWorker {
  scriptPath: string;
  rawBytes: number;
  gzipBytes: number;
  /** The files with code in the bundle (from the project root), when asked for with `inputs`. */
  inputs: string[];
  remove(): void;
}

export interface BuildOptions {
  /** A project with its own `wrangler.toml` and node_modules, instead of the Cloudflare example. */
  project?: string | undefined;
  /** Overrides the `wrangler.toml`'s `minify` (the example's: true). */
  minify?: boolean | undefined;
  /** List the bundle's input files too (from wrangler's metafile). */
  inputs?: boolean | undefined;
}

/**
 * `wrangler deploy --dry-run` with the Cloudflare example's `wrangler.toml` (minified, as
 * deployed): the example, or `entry` (a path from the project root) in its place, with the
 * `wrangler.toml` of the entry's folder if it has one. `project`
 * builds another Worker project instead: `wrangler.toml` in that folder, its own node_modules.
 */
export async function buildWorker(
  entry?: string,
  projectOrOptions?: string | BuildOptions,
): Promise<BuiltWorker> {
  const options: BuildOptions =
    typeof projectOrOptions === "string" ? { project: projectOrOptions } : (projectOrOptions ?? {});
  const { project } = options;
  const out = tempDir("jdobb-worker-");
  const config = project ? "wrangler.toml" : configFor(entry);
  const metafile = join(out.path, "meta.json");
  await promisify(execFile)(
    join(root, "node_modules/.bin/wrangler"),
    [
      "deploy",
      "--dry-run",
      "--config",
      config,
      "--outdir",
      join(out.path, "out"),
      ...(options.minify === undefined ? [] : [`--minify=${options.minify}`]),
      ...(options.inputs ? ["--metafile", metafile] : []),
      ...(entry ? [entry] : []),
    ],
    {
      cwd: project ?? root,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "1" },
    },
  );
  const script = readdirSync(join(out.path, "out")).find((name) => name.endsWith(".js"));
  if (!script) throw new Error(`wrangler wrote no script to ${out.path}`);
  const scriptPath = join(out.path, "out", script);
  const code = readFileSync(scriptPath);
  return {
    scriptPath,
    rawBytes: code.length,
    gzipBytes: gzipSync(code).length,
    inputs: options.inputs ? inputsOf(metafile, project ?? root) : [],
    remove: out.remove,
  };
}

/**
 * The `wrangler.toml` next to `entry` if its folder has one (the bench's shapes: no Durable
 * Object binding, which a Worker that does not export the class cannot have), else the example's.
 */
function configFor(entry: string | undefined): string {
  const beside = entry ? join(dirname(entry), "wrangler.toml") : null;
  return beside && existsSync(join(root, beside)) ? beside : "examples/cloudflare/wrangler.toml";
}

/** The input files with code in the bundle (esbuild's metafile), relative to `dir`. */
function inputsOf(metafile: string, dir: string): string[] {
  const meta = JSON.parse(readFileSync(metafile, "utf8")) as {
    outputs: Record<string, { inputs?: Record<string, { bytesInOutput: number }> }>;
  };
  const used = Object.values(meta.outputs).flatMap((output) =>
    Object.entries(output.inputs ?? {})
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  // wrangler's paths are relative to its working directory, or absolute.
  return used.map((path) => (path.startsWith("/") ? relative(dir, path) : path));
}
