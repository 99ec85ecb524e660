import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;

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
});
