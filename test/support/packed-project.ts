/**
 * The package as a user gets it: `npm pack` (whose `prepack` builds dist/), unpacked into a
 * throwaway TypeScript project whose other dependencies — the peers, TypeScript, @types/node —
 * are this repository's installed (locked) versions, linked in. No network involved.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tempDir } from "./temp-dir.js";

const root = new URL("../..", import.meta.url).pathname;

/**
 * Packages linked into the project: the package's own dependencies (npm would install them
 * with it), every peer a block of the README or docs/ may import, and the tools.
 */
const LINKED = [
  "@hono/node-server",
  "@libsql/client",
  "@types/node",
  "@upstash/redis",
  "@vercel/functions",
  "croner",
  "eventsource-parser",
  "hono",
  "ioredis",
  "libsql",
  "tsx",
  "typescript",
  "valibot",
  "vitest",
  "zod",
];

export interface PackedProject {
  dir: string;
  /** The tarball `npm pack` wrote. */
  tarball: string;
  /** Files in the tarball, e.g. `package/dist/src/index.js`. */
  files: string[];
  /** Writes `name` (a path in the project; folders are made) into the project. */
  write(name: string, text: string): string;
  /**
   * Runs `tsc --noEmit -p <project>` (default `.`: strict, nodenext, the top-level `*.ts`) in
   * the project; returns its output ("" when clean).
   */
  typecheck(project?: string): string;
  /**
   * Writes `tsconfig.init.json`: what `tsc --init` of the linked TypeScript writes for a new
   * project (`exactOptionalPropertyTypes`, `verbatimModuleSyntax` …), plus the two lines its
   * comments add for Node (`lib: ["esnext"]`, `types: ["node"]`), over the top-level `*.ts`.
   * Returns its name, for {@link typecheck}.
   */
  initConfig(): string;
  /** Runs a TypeScript file of the project with Node (through tsx); returns its stdout. */
  run(name: string): string;
  remove(): void;
}

/**
 * A copy of the repository's files (tracked, and untracked but not ignored: what `npm pack`
 * would see here) with its node_modules linked in, to pack from: `prepack` rebuilds dist/ from
 * scratch, and test files that pack at the same time must not do that in one shared folder.
 */
function packingCopy(into: string): string {
  const listed = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    { cwd: root },
  );
  for (const file of listed.toString().split("\0")) {
    if (!file || !existsSync(join(root, file))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(root, file), join(into, file));
  }
  symlinkSync(join(root, "node_modules"), join(into, "node_modules"), "dir");
  return into;
}

export function packedProject(): PackedProject {
  const out = tempDir("jdobb-packed-");
  const packed = JSON.parse(
    execFileSync("npm", ["pack", "--json", "--pack-destination", out.path], {
      cwd: packingCopy(join(out.path, "repository")),
      stdio: ["ignore", "pipe", "pipe"],
    }).toString(),
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const [info] = packed;
  if (!info) throw new Error("npm pack reported nothing");
  const tarball = join(out.path, info.filename);
  const dir = join(out.path, "project");
  const modules = join(dir, "node_modules");
  mkdirSync(join(modules, "jdobb-async-queue"), { recursive: true });
  execFileSync("tar", [
    "-xzf",
    tarball,
    "-C",
    join(modules, "jdobb-async-queue"),
    "--strip-components=1",
  ]);
  for (const name of LINKED) {
    if (name.includes("/"))
      mkdirSync(join(modules, name.split("/")[0] as string), { recursive: true });
    symlinkSync(join(root, "node_modules", name), join(modules, name), "dir");
  }
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module", private: true }));
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        skipLibCheck: false,
        noEmit: true,
        types: ["node"],
      },
      include: ["*.ts"],
    }),
  );
  return {
    dir,
    tarball,
    files: info.files.map((file) => `package/${file.path}`),
    write(name, text) {
      const path = join(dir, name);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    typecheck(project = ".") {
      try {
        execFileSync(join(modules, "typescript/bin/tsc"), ["--noEmit", "-p", project], {
          cwd: dir,
          stdio: "pipe",
        });
        return "";
      } catch (error) {
        return String((error as { stdout?: Buffer }).stdout ?? error);
      }
    },
    initConfig() {
      // tsc --init refuses to overwrite a tsconfig.json: it gets a folder of its own.
      mkdirSync(join(dir, "init"));
      execFileSync(join(modules, "typescript/bin/tsc"), ["--init"], { cwd: join(dir, "init") });
      const config = {
        extends: "./init/tsconfig.json",
        compilerOptions: { lib: ["esnext"], types: ["node"], noEmit: true },
        include: ["*.ts"],
      };
      writeFileSync(join(dir, "tsconfig.init.json"), JSON.stringify(config));
      return "tsconfig.init.json";
    },
    run(name) {
      return execFileSync("node", ["--import", "tsx", name], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 60_000,
      }).toString();
    },
    remove: out.remove,
  };
}

/** The ```ts blocks of a Markdown file, each with the heading it sits under. */
export function typescriptBlocks(path: string): Array<{ heading: string; code: string }> {
  const blocks: Array<{ heading: string; code: string }> = [];
  let heading = "";
  let code: string[] | null = null;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (code === null && line.startsWith("#")) heading = line.replace(/^#+\s*/, "");
    else if (code === null && line.trim() === "```ts") code = [];
    else if (code !== null && line.trim() === "```") {
      blocks.push({ heading, code: code.join("\n") });
      code = null;
    } else if (code !== null) code.push(line);
  }
  return blocks;
}
