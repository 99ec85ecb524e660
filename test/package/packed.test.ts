import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { type PackedProject, packedProject, typescriptBlocks } from "../support/packed-project.js";
import { tempDir } from "../support/temp-dir.js";

const root = new URL("../..", import.meta.url).pathname;
/** The Markdown files whose ```ts blocks must compile: the README and every page of docs/. */
const sources = [
  "README.md",
  ...readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];
/** Each block with where it came from and the project file it is written to. */
const blocks = sources.flatMap((source) =>
  typescriptBlocks(join(root, source)).map((block, i) => ({
    ...block,
    source,
    file: `${source.replace(/\.md$/, "").replace("/", "-").toLowerCase()}-${i + 1}.ts`,
  })),
);
const blockRows = blocks.map((block) => [block.source, block.file, block.heading] as const);
/** The project file of the block under `heading` in `source`. */
function blockFile(source: string, heading: string): string {
  const block = blocks.find((b) => b.source === source && b.heading === heading);
  if (!block) throw new Error(`no ts block under "${heading}" in ${source}`);
  return block.file;
}

describe("the package as npm pack builds it", () => {
  let project: PackedProject;
  let tscOutput = "";
  /** tsc's output under the defaults of `tsc --init`: what a new user's project checks. */
  let initOutput = "";
  beforeAll(() => {
    project = packedProject();
    // Each block is its own module (nothing leaks between blocks); one tsc run checks them all.
    for (const block of blocks) project.write(block.file, `${block.code}\nexport {};\n`);
    // Job definitions that are not schemas are a type error for users, too (skipLibCheck off).
    project.write(
      "not-a-schema.ts",
      `import { JobQueue } from "jdobb-async-queue";
      import { libsqlBackend } from "jdobb-async-queue/libsql";
      // @ts-expect-error not a Standard Schema
      new JobQueue({ backend: libsqlBackend({ url: ":memory:" }), jobs: { resize: { notASchema: true } } });
      export {};`,
    );
    // An implementer's file: the contract's types and values from /backend, applications' from
    // the root, one backend passing between them.
    project.write(
      "backend-entry.ts",
      `import { type Backend, BackendError, type ClaimInput, hasFeature, NO_LIMITS, SCHEDULES_PER_CLAIM } from "jdobb-async-queue/backend";
      import { type EnqueueResult, JobQueue, type KeyLimits } from "jdobb-async-queue";
      declare const backend: Backend;
      declare const claim: ClaimInput;
      const perClaim: number = SCHEDULES_PER_CLAIM + claim.limit;
      if (hasFeature(backend, "limits")) await backend.getQueueLimits({ queue: "q", now: perClaim });
      const queue = new JobQueue({ backend });
      const results: EnqueueResult[] = await queue.enqueueMany([]);
      const limits: KeyLimits = await queue.keyLimits("k");
      console.log(results, limits, NO_LIMITS, new BackendError("x").code);
      export {};`,
    );
    tscOutput = project.typecheck();
    initOutput = project.typecheck(project.initConfig());
  }, 180_000);
  afterAll(() => project?.remove());

  it("ships dist/ (no source maps pointing at unshipped sources), LICENSE and README", () => {
    expect(project.files).toContain("package/dist/src/index.js");
    expect(project.files).toContain("package/dist/src/index.d.ts");
    expect(project.files).toContain("package/dist/src/backend-kit.js");
    expect(project.files).toContain("package/dist/src/backend-kit.d.ts");
    expect(project.files).toContain("package/LICENSE");
    expect(project.files).toContain("package/README.md");
    expect(project.files.filter((file) => file.endsWith(".map"))).toEqual([]);
  });

  it("resolves every exported subpath by package name", () => {
    project.write(
      "exports.ts",
      `const main = await import("jdobb-async-queue");
      const backend = await import("jdobb-async-queue/backend");
      const libsql = await import("jdobb-async-queue/libsql");
      const d1 = await import("jdobb-async-queue/d1");
      const redis = await import("jdobb-async-queue/redis");
      const hono = await import("jdobb-async-queue/hono");
      const node = await import("jdobb-async-queue/node");
      const cloudflare = await import("jdobb-async-queue/cloudflare");
      const vercel = await import("jdobb-async-queue/vercel");
      const testing = await import("jdobb-async-queue/testing");
      const client = await import("jdobb-async-queue/client");
      const cron = await import("jdobb-async-queue/cron");
      const dashboard = await import("jdobb-async-queue/dashboard");
      console.log(JSON.stringify({
        main: ["JobQueue", "Worker", "Broadcaster", "ManualClock"].filter((k) => typeof (main as Record<string, unknown>)[k] === "function"),
        contractOnMain: ["NO_LIMITS", "SCHEDULES_PER_CLAIM", "hasFeature", "scheduledJobId"].filter((k) => k in main),
        backend: [typeof backend.SCHEDULES_PER_CLAIM, typeof backend.SCHEDULE_REFILL_BELOW, typeof backend.TYPE_SKIP_DEPTH, typeof backend.NO_LIMITS, typeof backend.BACKEND_FEATURES, typeof backend.scheduledJobId, typeof backend.hasFeature, typeof backend.BackendError, typeof backend.BackendUnavailableError],
        libsql: typeof libsql.libsqlBackend,
        d1: [typeof d1.d1Backend, typeof d1.D1_MAX_PAYLOAD_BYTES],
        redis: [typeof redis.redisBackend, typeof redis.fromIoredis, typeof redis.upstashRest],
        adapters: [typeof hono.queueRoutes, typeof node.serve, typeof cloudflare.cloudflareWorker, typeof vercel.vercelHandlers],
        testing: typeof testing.testBackend,
        client: [typeof client.createClient, typeof client.QueueClientError],
        cron: typeof cron.cron.planRefill,
        dashboard: typeof dashboard.dashboard,
      }));
      export {};`,
    );
    expect(JSON.parse(project.run("exports.ts"))).toEqual({
      main: ["JobQueue", "Worker", "Broadcaster", "ManualClock"],
      contractOnMain: [],
      backend: [
        "number",
        "number",
        "number",
        "object",
        "object",
        "function",
        "function",
        "function",
        "function",
      ],
      libsql: "function",
      d1: ["function", "number"],
      redis: ["function", "function", "function"],
      adapters: ["function", "function", "function", "function"],
      testing: "function",
      client: ["function", "function"],
      cron: "function",
      dashboard: "function",
    });
  }, 60_000);

  it("names the missing peer in an install without it (not hoisted, never added)", () => {
    // The package and its own dependencies only, copied into a folder of its own (a link, or a
    // folder inside the project, would resolve the peers from the project, which has them all).
    const folder = tempDir("jdobb-bare-");
    onTestFinished(folder.remove);
    const bare = folder.path;
    const modules = join(bare, "node_modules");
    mkdirSync(modules, { recursive: true });
    cpSync(
      join(project.dir, "node_modules/jdobb-async-queue"),
      join(modules, "jdobb-async-queue"),
      {
        recursive: true,
      },
    );
    for (const name of ["croner", "eventsource-parser"]) {
      symlinkSync(join(root, "node_modules", name), join(modules, name), "dir");
    }
    writeFileSync(
      join(bare, "peers.mjs"),
      `import { JobQueue } from "jdobb-async-queue";
      import { libsqlBackend } from "jdobb-async-queue/libsql";
      const seen = [];
      for (const url of [":memory:", "http://127.0.0.1:9"]) {
        const queue = new JobQueue({ backend: libsqlBackend({ url }) });
        await queue.stats().catch((error) => seen.push([error.name, error.code, error.peer, error.message]));
      }
      console.log(JSON.stringify(seen));`,
    );
    const seen = JSON.parse(execFileSync("node", ["peers.mjs"], { cwd: bare }).toString());
    expect(seen).toEqual([
      [
        "MissingPeerError",
        "MISSING_PEER",
        "libsql",
        'libsql(memory) needs the package "libsql": npm i libsql',
      ],
      [
        "MissingPeerError",
        "MISSING_PEER",
        "@libsql/client",
        'libsql(http) needs the package "@libsql/client": npm i @libsql/client',
      ],
    ]);
  }, 60_000);

  it("passes publint (strict) and arethetypeswrong (ESM profile)", () => {
    const bin = (name: string) => join(root, "node_modules/.bin", name);
    const run = (command: string, args: string[]) =>
      spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: 60_000 });
    const publint = run(bin("publint"), [project.tarball, "--strict"]);
    expect(publint.stdout).toContain("All good!");
    expect(publint.status).toBe(0);
    const attw = run(bin("attw"), [project.tarball, "--profile", "esm-only", "--format", "json"]);
    expect(attw.status, attw.stdout.slice(0, 2_000)).toBe(0);
  }, 120_000);

  it("types job definitions: a definition that is not a schema does not compile", () => {
    expect(tscOutput.split("\n").filter((line) => line.startsWith("not-a-schema.ts"))).toEqual([]);
  });

  it("types /backend for implementers, beside the root for applications", () => {
    expect(tscOutput.split("\n").filter((line) => line.startsWith("backend-entry.ts"))).toEqual([]);
  });

  it("has TypeScript blocks in its README and in docs/", () => {
    expect(blocks.filter((block) => block.source === "README.md").length).toBeGreaterThanOrEqual(1);
    expect(blocks.filter((block) => block.source !== "README.md").length).toBeGreaterThanOrEqual(6);
  });

  it.each(blockRows)(
    "%s block %s (%s) type-checks on its own: strict, nodenext, skipLibCheck off",
    (_source, file) => {
      const errors = tscOutput.split("\n").filter((line) => line.startsWith(file));
      expect(errors).toEqual([]);
    },
  );

  it.each(blockRows)(
    "%s block %s (%s) type-checks under tsc --init's defaults (exactOptionalPropertyTypes …)",
    (_source, file) => {
      const errors = initOutput.split("\n").filter((line) => line.startsWith(file));
      expect(errors).toEqual([]);
    },
  );

  it("README's Quick start block runs as it is and prints the outcome", () => {
    const output = project.run(blockFile("README.md", "Quick start"));
    expect(output).toContain("completed { words: 9 }");
    expect(output).toMatch(/\n\d+ snapshot 1 9 words\n$/);
  }, 60_000);

  it("docs/queue.md's Use block runs as it is and prints the outcome", () => {
    const output = project.run(blockFile("docs/queue.md", "Use"));
    expect(output).toContain("completed { words: 9 }");
    expect(output).toMatch(/\n\d+ snapshot 1 9 words\n$/);
  }, 60_000);
});
