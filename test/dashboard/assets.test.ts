/**
 * The committed dashboard build is the one its sources give: `npm run build:dashboard` after
 * any change under adapters/dashboard/. And what the routes serve is Workers-safe.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { DASHBOARD_ASSETS } from "../../adapters/http/dashboard-assets.generated.js";
import { buildDashboard } from "../../scripts/build-dashboard.js";

const root = new URL("../..", import.meta.url).pathname;

it("adapters/http/dashboard-assets.generated.ts is up to date (else: npm run build:dashboard)", async () => {
  const built = await buildDashboard();
  expect(DASHBOARD_ASSETS.script.name, "stale: run npm run build:dashboard").toBe(
    built.script.name,
  );
  expect(DASHBOARD_ASSETS.style.name, "stale: run npm run build:dashboard").toBe(built.style.name);
  expect(DASHBOARD_ASSETS.html, "stale: run npm run build:dashboard").toBe(built.html);
  expect(DASHBOARD_ASSETS).toEqual(built);
}, 30_000);

it("the served code imports nothing from Node: it runs on Workers and the Edge", () => {
  for (const file of [
    "adapters/http/routes-dashboard.ts",
    "adapters/http/dashboard-assets.generated.ts",
  ]) {
    const imports = [
      ...readFileSync(`${root}${file}`, "utf8").matchAll(/^import .* from "([^"]+)";$/gm),
    ];
    expect(imports.map(([, from]) => from).filter((from) => !from?.startsWith("."))).toEqual(
      file.includes("routes") ? ["hono"] : [],
    );
  }
});
