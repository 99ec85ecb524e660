/**
 * The Lua scripts and SQL texts ship inside every Worker bundle as strings, where no minifier
 * can drop a comment: so their comments live in TypeScript (`//` and TSDoc beside the code that
 * builds each string), and no shipped text carries a comment line (`-- …`).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createClient } from "@libsql/client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ClaimInput, FullBackend, NewJobRecord } from "../../src/backend.js";
import { libsqlBackend } from "../../src/backends/libsql/index.js";
import * as claimScripts from "../../src/backends/redis/claim-scripts.js";
import * as configScripts from "../../src/backends/redis/config-scripts.js";
import * as scripts from "../../src/backends/redis/scripts.js";
import { SqlTexts } from "../../src/backends/sqlite/sql-text.js";
import { newToken } from "../../src/internal/ids.js";

/** A line that is only a Lua or SQL comment (a trailing one after code is not looked for). */
const COMMENT_LINE = /^[ \t]*--/m;

const commented = (texts: Iterable<[string, string]>) =>
  Array.from(texts)
    .filter(([, text]) => COMMENT_LINE.test(text))
    .map(([name]) => name);

afterEach(() => {
  vi.restoreAllMocks();
});

describe("shipped Lua and SQL texts carry no comment lines", () => {
  it("every Redis script, prelude included", () => {
    const lua = Object.entries({ ...scripts, ...claimScripts, ...configScripts }).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    );
    expect(lua.map(([name]) => name)).toEqual(
      expect.arrayContaining(["ENQUEUE", "CLAIM", "COMPLETE_AND_CLAIM_MANY", "PUT_SCHEDULE"]),
    );
    for (const [, text] of lua) expect(text).toContain("local base = ARGV[1]");
    expect(commented(lua)).toEqual([]);
  });

  it("every SQL text the SQLite backends build for a claim under limits, before compiling", async () => {
    // compile() drops comments from what is sent, but the texts it is given are what ships.
    const built = new Map<string, string>();
    const get = SqlTexts.prototype.get;
    vi.spyOn(SqlTexts.prototype, "get").mockImplementation(function (this: SqlTexts, shape, build) {
      return get.call(this, shape, () => {
        const text = build();
        built.set(shape, text);
        return text;
      });
    });
    const client = createClient({ url: ":memory:" });
    const backend = libsqlBackend({ client }) as FullBackend;
    const queue = "shipped";
    const now = Date.UTC(2026, 0, 1);
    await backend.setQueueLimits({
      queue,
      now,
      limits: {
        keyConcurrency: 1,
        keyRateLimit: { limit: 2, windowMs: 60_000 },
        typeRateLimits: [{ type: "even", limit: 1, windowMs: 60_000 }],
      },
    });
    const jobs = Array.from(
      { length: 12 },
      (_, n): NewJobRecord => ({
        id: newToken(),
        type: n % 2 === 0 ? "even" : "odd",
        payload: String(n),
        priority: n % 3,
        runAt: now,
        maxAttempts: 3,
        backoff: null,
        idempotencyKey: null,
        concurrencyKey: n % 3 === 0 ? null : `k${n % 4}`,
      }),
    );
    await backend.enqueue({ queue, now, jobs });
    const claimOf = (limit: number): ClaimInput => ({
      queue,
      now,
      limit,
      token: newToken(),
      leaseUntil: now + 30_000,
      expiredError: "{}",
      failedExpiresAt: now + 60_000,
    });
    const first = claimOf(2);
    const claimed = await backend.claim(first);
    expect(claimed.jobs.length).toBeGreaterThan(0);
    await backend.completeAndClaimMany({
      queue,
      now,
      items: [
        {
          id: claimed.jobs[0]?.id ?? "",
          token: first.token,
          result: '"done"',
          expiresAt: now + 60_000,
          next: claimOf(3),
        },
      ],
    });
    client.close();
    expect(built.has("claim")).toBe(true);
    expect(built.size).toBeGreaterThan(3);
    expect(commented(built)).toEqual([]);
  });

  it("no string in the store backends' sources holds a comment line", () => {
    // In TypeScript a line can only start with `--` inside a string: this finds any text,
    // built or not, that the cases above do not reach.
    const root = fileURLToPath(new URL("../../src/backends", import.meta.url));
    const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((path) =>
      path.endsWith(".ts"),
    );
    expect(files.length).toBeGreaterThan(20);
    expect(commented(files.map((path) => [path, readFileSync(join(root, path), "utf8")]))).toEqual(
      [],
    );
  });
});
