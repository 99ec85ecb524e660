import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;

/** `src/` files an adapter may import: the package's public entries and the adapter kit. */
function adapterDoors(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    exports: Record<string, string | { types?: string }>;
  };
  const entries = Object.values(pkg.exports).flatMap((target) => {
    const types = typeof target === "string" ? undefined : target.types;
    const source = types?.match(/^\.\/dist\/(src\/.+)\.d\.ts$/)?.[1];
    return source ? [`${source}.ts`] : [];
  });
  return [...entries, "src/adapter-kit.ts"];
}

/**
 * The repository files (as `src/x.ts`) that `file` imports or re-exports by relative path,
 * statically or dynamically.
 */
function localImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm);
  return [...found]
    .map((match) => match[1] as string)
    .filter((spec) => spec.startsWith("."))
    .map((spec) => relative(root, resolve(dirname(file), spec)).replace(/\.js$/, ".ts"));
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

describe("layout boundaries", () => {
  it("src/ uses Web APIs only: no node:* modules, no process, no adapters", () => {
    const offenders = sources(join(root, "src")).flatMap((file) => {
      // Code only: TSDoc examples may show Node usage.
      const text = readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      const bad = [
        /from\s+["']node:/,
        /import\(["']node:/,
        /\bprocess\.(env|on|exit|cwd|argv|nextTick|stdout|stderr)\b/,
        /from\s+["'][./]*adapters\//,
      ];
      return bad.filter((re) => re.test(text)).map((re) => `${relative(root, file)} matches ${re}`);
    });
    expect(offenders).toEqual([]);
  });

  it("adapters reach src/ only through public entries and the adapter kit", () => {
    const doors = adapterDoors();
    expect(doors).toContain("src/index.ts");
    const offenders = sources(join(root, "adapters")).flatMap((file) =>
      localImports(file)
        .filter((target) => target.startsWith("src/") && !doors.includes(target))
        .map((target) => `${relative(root, file)} imports ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the kits are doors inward: no core module imports the adapter kit or /backend's entry", () => {
    const kits = ["src/adapter-kit.ts", "src/backend-kit.ts"];
    const offenders = sources(join(root, "src")).flatMap((file) =>
      localImports(file)
        .filter((target) => kits.includes(target))
        .map((target) => `${relative(root, file)} imports ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the adapter kit is no package entry", () => {
    const pkg = readFileSync(join(root, "package.json"), "utf8");
    expect(pkg).not.toContain("adapter-kit");
  });
});
