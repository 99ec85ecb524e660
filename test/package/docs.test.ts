/**
 * The README as a landing page and the reference in docs/: the README's first lines are the two
 * commands, it stays short, and every relative link in the README, docs/ and the bench's README
 * points to a file that exists (and, with a `#fragment`, to a heading in it).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;

const pages = [
  "README.md",
  "bench/README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

/** Lines outside fenced code blocks. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split("\n").filter((line) => {
    if (line.trimStart().startsWith("```")) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(path: string): Set<string> {
  const headings = prose(readFileSync(path, "utf8"))
    .filter((line) => /^#{1,6}\s/.test(line))
    .map((line) => slug(line.replace(/^#+\s*/, "")));
  return new Set(headings);
}

/** Relative link targets of a page: `[text](target)` and `![alt](target)`, outside code. */
function relativeLinks(page: string): string[] {
  const text = prose(readFileSync(join(root, page), "utf8"))
    .join("\n")
    .replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] as string)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe("the README and docs/", () => {
  it("README starts with the two commands: the demo and every test", () => {
    const lines = readFileSync(join(root, "README.md"), "utf8").split("\n");
    expect(lines.slice(0, 6)).toEqual([
      "# jdobb-async-queue",
      "",
      "```sh",
      "npm install && npm start   # demo: the HTTP API on an embedded libSQL file, no services needed",
      "npm test                   # every test",
      "```",
    ]);
  });

  it("README is a landing page: at most 200 lines", () => {
    const lines = readFileSync(join(root, "README.md"), "utf8").trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(200);
  });

  it.each(pages)("every relative link in %s points to an existing file and heading", (page) => {
    const broken: string[] = [];
    for (const target of relativeLinks(page)) {
      const [file = "", fragment] = target.split("#");
      const path = file ? join(root, dirname(page), decodeURI(file)) : join(root, page);
      if (!existsSync(path)) broken.push(`${target} (no file ${relative(root, path)})`);
      else if (fragment !== undefined && path.endsWith(".md") && !anchors(path).has(fragment))
        broken.push(`${target} (no heading #${fragment})`);
    }
    expect(broken).toEqual([]);
  });

  it("finds links to check", () => {
    expect(relativeLinks("README.md").length).toBeGreaterThanOrEqual(10);
  });
});
