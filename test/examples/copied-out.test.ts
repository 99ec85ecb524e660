/**
 * The Vercel and Cloudflare examples as their READMEs say to use them: their files copied into
 * a project where `jdobb-async-queue` is the packed tarball (no path back to this repository),
 * type-checked with the tsconfig such a project has (bundler resolution), built by the
 * platform's bundler (wrangler; esbuild with the Edge conditions) and answering a request.
 */
import { cpSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { EdgeRuntime } from "edge-runtime";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildEdgeRoute } from "../support/build-edge.js";
import { buildWorker } from "../support/build-worker.js";
import { DURABLE_OBJECT_OPTIONS } from "../support/durable-object-options.js";
import { type PackedProject, packedProject } from "../support/packed-project.js";

const root = new URL("../..", import.meta.url).pathname;
const API_TOKEN = "copied-out-api-token-0123456789";
const STREAM_SECRET = "copied-out-stream-secret-0123456789";
/** A store address never reached: these requests are answered before any store call. */
const LIBSQL_URL = "http://127.0.0.1:9";

interface Example {
  name: "vercel" | "cloudflare";
  /** The files its README says to copy, at the paths it says. */
  files: string[];
  /** The project's tsconfig: what Next.js / `npm create cloudflare` generate, give or take. */
  tsconfig: Record<string, unknown>;
}

const EXAMPLES: Example[] = [
  {
    name: "vercel",
    files: ["app/api/queue/[...path]/route.ts", "lib/queue.ts", "lib/jobs.ts", "vercel.json"],
    // Next.js's generated tsconfig (its next-env.d.ts brings @types/node).
    tsconfig: {
      compilerOptions: {
        target: "ES2017",
        lib: ["dom", "dom.iterable", "esnext"],
        allowJs: true,
        skipLibCheck: true,
        strict: true,
        noEmit: true,
        esModuleInterop: true,
        module: "esnext",
        moduleResolution: "bundler",
        resolveJsonModule: true,
        isolatedModules: true,
        jsx: "preserve",
        types: ["node"],
        paths: { "@/*": ["./*"] },
      },
      include: ["**/*.ts"],
    },
  },
  {
    name: "cloudflare",
    files: ["worker.ts", "queue-worker.ts", "stores.ts", "jobs.ts", "wrangler.toml"],
    // `npm create cloudflare`'s, with the WebWorker lib for @cloudflare/workers-types.
    tsconfig: {
      compilerOptions: {
        target: "ES2022",
        lib: ["ES2023", "WebWorker"],
        module: "ES2022",
        moduleResolution: "Bundler",
        isolatedModules: true,
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: [],
      },
      include: ["*.ts"],
    },
  },
];

const readme = (example: Example) =>
  readFileSync(join(root, "examples", example.name, "README.md"), "utf8");
const source = (example: Example, file: string) =>
  readFileSync(join(root, "examples", example.name, file), "utf8");

/** Packages a file imports: `hono/vercel` → `hono`, `@upstash/redis/cloudflare` → `@upstash/redis`. */
function importedPackages(code: string): string[] {
  return [...code.matchAll(/^import [^"]*"([^".][^"]*)";$/gm)].map(([, spec = ""]) =>
    spec
      .split("/")
      .slice(0, spec.startsWith("@") ? 2 : 1)
      .join("/"),
  );
}

/** The page and its script answer through `fetch` (a path under the routes' mount point). */
async function expectDashboard(fetch: (path: string) => Promise<Response>): Promise<void> {
  const page = await fetch("/dashboard");
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  const script = (await page.text()).match(/src="[^"]*(\/dashboard\/app\.\w+\.js)"/)?.[1];
  expect(script).toBeDefined();
  const asset = await fetch(script as string);
  expect(asset.status).toBe(200);
  expect(asset.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
  await asset.text();
}

let project: PackedProject;
beforeAll(() => {
  project = packedProject();
  for (const example of EXAMPLES) {
    for (const file of example.files) {
      const to = join(project.dir, example.name, file);
      cpSync(join(root, "examples", example.name, file), to);
    }
    project.write(`${example.name}/tsconfig.json`, JSON.stringify(example.tsconfig));
  }
}, 180_000);
afterAll(() => project?.remove());

describe.each(EXAMPLES)("the $name example, copied out", (example) => {
  it("its README names each file to copy, installs each package imported, lists each variable read", () => {
    const text = readme(example);
    const code = example.files
      .filter((f) => f.endsWith(".ts"))
      .map((f) => source(example, f).replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, ""));
    for (const file of example.files) expect(text, file).toContain(`\`${file}\``);
    const install = text.match(/^npm i (?!-D)(.+)$/m)?.[1]?.split(/\s+/) ?? [];
    const imported = new Set(code.flatMap(importedPackages));
    expect(install.filter((name) => imported.has(name)).sort()).toEqual([...imported].sort());
    // Read as `env.NAME` / `process.env.NAME`, or declared in the Worker's `Env` bindings.
    const read = /\benv\.([A-Z_]+)|^\s+([A-Z_]+)\?: string;$/gm;
    const variables = new Set(code.flatMap((c) => [...c.matchAll(read)].map((m) => m[1] ?? m[2])));
    expect(variables.size).toBeGreaterThanOrEqual(9);
    for (const name of variables) expect(text, name).toContain(`\`${name}\``);
  });

  it("imports only the package by name and its own files, without .js for .ts", () => {
    for (const file of example.files.filter((f) => f.endsWith(".ts"))) {
      const specifiers = [...source(example, file).matchAll(/ from "([^"]+)";$/gm)].map(
        ([, spec = ""]) => spec,
      );
      for (const spec of specifiers.filter((s) => s.startsWith("."))) {
        expect(spec, file).not.toMatch(/\.(js|ts)$/);
        expect(example.files, `${file} imports ${spec}`).toContain(
          `${join(dirname(file), spec)}.ts`,
        );
      }
    }
  });

  it("type-checks in the project (moduleResolution bundler)", () => {
    expect(project.typecheck(example.name)).toBe("");
  }, 60_000);
});

describe("the copied-out Vercel route, bundled for the Edge", () => {
  let runtime: EdgeRuntime;
  let code: string;
  beforeAll(async () => {
    const route = join(project.dir, "vercel/app/api/queue/[...path]/route.ts");
    code = await buildEdgeRoute({ API_TOKEN, LIBSQL_URL, KICK: "false" }, route);
    runtime = new EdgeRuntime({ initialCode: code });
  }, 60_000);

  it("takes the package's portable entry points from the tarball", () => {
    expect(code).toContain("node_modules/jdobb-async-queue/dist/src/backends/libsql/index.js");
    expect(code).not.toContain("libsql/node.js");
  });

  it("serves the dashboard in edge-runtime, with its CSP", async () => {
    await expectDashboard((path) => runtime.dispatchFetch(`http://vercel.local/api/queue${path}`));
  });

  it("answers in edge-runtime: 401 without a token, 422 for a payload its schema refuses", async () => {
    const stats = await runtime.dispatchFetch("http://vercel.local/api/queue/stats");
    expect(stats.status).toBe(401);
    const bad = await runtime.dispatchFetch("http://vercel.local/api/queue/jobs", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "slugify", payload: { title: "" } }),
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("INVALID_PAYLOAD");
  });
});

describe("the copied-out Worker, built by wrangler", () => {
  let mf: Miniflare;
  let remove = () => {};
  beforeAll(async () => {
    const bundle = await buildWorker(undefined, join(project.dir, "cloudflare"));
    remove = bundle.remove;
    mf = new Miniflare({
      modules: true,
      scriptPath: bundle.scriptPath,
      modulesRoot: dirname(bundle.scriptPath),
      compatibilityDate: "2026-04-20",
      // The default store: a Durable Object per queue, inside workerd.
      bindings: { API_TOKEN, STREAM_SECRET },
      ...DURABLE_OBJECT_OPTIONS,
    });
  }, 120_000);
  afterAll(async () => {
    await mf?.dispose();
    remove();
  });

  it("serves the dashboard in workerd, with its CSP", async () => {
    await expectDashboard(
      async (path) => (await mf.dispatchFetch(`http://worker/queue${path}`)) as unknown as Response,
    );
  });

  it("answers in workerd: 401 without a token, 422 for a payload its schema refuses", async () => {
    const stats = await mf.dispatchFetch("http://worker/queue/stats");
    expect(stats.status).toBe(401);
    const bad = await mf.dispatchFetch("http://worker/queue/jobs", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "count", payload: { words: "not a list" } }),
    });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("INVALID_PAYLOAD");
  });

  it("runs a job on its default store, a Durable Object, with no service outside workerd", async () => {
    const headers = { authorization: `Bearer ${API_TOKEN}`, "content-type": "application/json" };
    const created = await mf.dispatchFetch("http://worker/queue/jobs", {
      method: "POST",
      headers,
      body: JSON.stringify({ type: "count", payload: { words: ["a", "b", "a"] } }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const done = await mf.dispatchFetch(`http://worker/queue/jobs/${id}/result?waitMs=10000`, {
      headers,
    });
    expect(await done.json()).toMatchObject({ state: "completed", result: { a: 2, b: 1 } });
  });
});
