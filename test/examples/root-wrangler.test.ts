/**
 * `npx wrangler dev` works from the repository root too: the root `wrangler.toml` is the
 * Cloudflare example's (which stays self-contained), with `main` pointing into the example.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;

/** The settings of a wrangler.toml, comment lines left out and `main` named only. */
function settings(file: string, main: string): string[] {
  const lines = readFileSync(`${root}/${file}`, "utf8").split("\n");
  return lines
    .filter((line) => !line.startsWith("#"))
    .map((line) => (line === `main = "${main}"` ? "main = <the example's worker.ts>" : line));
}

describe("the root wrangler.toml", () => {
  it("is the Cloudflare example's, with main pointing into the example", () => {
    expect(settings("wrangler.toml", "examples/cloudflare/worker.ts")).toEqual(
      settings("examples/cloudflare/wrangler.toml", "worker.ts"),
    );
  });
});
