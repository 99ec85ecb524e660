/**
 * A dashboard test's world: a real server (`startTestServer`, with the dashboard on, counts
 * polled every second and event streams cut every 700 ms) and Chromium pages that report CSP
 * violations, page errors and console errors.
 */
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, expect } from "vitest";
import { dashboard } from "../../adapters/dashboard.js";
import { launchChromium } from "./chromium.js";
import { ADMIN, startTestServer, type TestServer } from "./client-server.js";

/** Where screenshots go (gitignored). */
export const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url).pathname;

export interface DashboardWorld {
  server: TestServer;
  /** A page at `width`×`height` (default 1280×800), light unless `dark`. */
  page(options?: { width?: number; height?: number; dark?: boolean }): Promise<Page>;
  /** Opens the dashboard (at `hash`) and signs in with the admin token. */
  signIn(page: Page, hash?: string): Promise<void>;
  /** CSP violations, uncaught page errors and unexpected console errors so far. */
  problems: string[];
  close(): Promise<void>;
}

/** Console errors a browser prints for answers the page expects (a 401 at sign-in, a 404). */
const EXPECTED = /^Failed to load resource: the server responded with a status of (401|404)/;

/** How long a page action or wait may take before it fails, naming what it waited for. */
const PAGE_WAIT_MS = 8_000;

export async function dashboardWorld(browser: Browser): Promise<DashboardWorld> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startTestServer({
    dashboard: dashboard({ pollMs: 1_000 }),
    sse: { maxStreamMs: 700, retryMs: 100 },
  });
  const contexts: Array<{ close(): Promise<void> }> = [];
  const problems: string[] = [];
  return {
    server,
    problems,
    async page({ width = 1280, height = 800, dark = false } = {}) {
      const context = await browser.newContext({
        viewport: { width, height },
        colorScheme: dark ? "dark" : "light",
      });
      contexts.push(context);
      const page = await context.newPage();
      // A wait that hangs fails by name, well inside the test's own 20 s.
      page.setDefaultTimeout(PAGE_WAIT_MS);
      await page.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (event) => {
          console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
        });
      });
      page.on("console", (message) => {
        if (message.type() === "error" && !EXPECTED.test(message.text())) {
          problems.push(message.text());
        }
      });
      page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
      return page;
    },
    async signIn(page: Page, hash = "") {
      await page.goto(`${server.url}/dashboard${hash}`);
      await page.fill("#token", ADMIN);
      await page.press("#token", "Enter");
      await page.waitForSelector("body[data-signed-in]");
    },
    async close() {
      for (const context of contexts) await context.close();
      await server.close();
    },
  };
}

/** The count the page shows for `state`. */
export const countOf = (page: Page, state: string) =>
  page.textContent(`button.count[data-state="${state}"] strong`);

/** Waits until the page shows `count` jobs in `state`. */
export function waitForCount(page: Page, state: string, count: number): Promise<unknown> {
  return page.waitForFunction(
    ([s, n]) =>
      document.querySelector(`button.count[data-state="${s}"] strong`)?.textContent === String(n),
    [state, count] as const,
    { timeout: 15_000 },
  );
}

/** Waits until the detail pane shows the job in `state`. */
export function waitForDetailState(page: Page, state: string): Promise<unknown> {
  return page.waitForSelector(`#detail[data-state="${state}"]`, { timeout: 15_000 });
}

/** Waits until the detail pane's progress bar is at `percent` or more. */
export function progressAtLeast(page: Page, percent: number): Promise<unknown> {
  return page.waitForFunction(
    (p) =>
      Number(document.querySelector("#detail .big-progress .bar")?.getAttribute("aria-valuenow")) >=
      p,
    percent,
    { timeout: 15_000 },
  );
}

/** The event types in the detail pane's log, newest first. */
export const eventKinds = (page: Page) =>
  page.$$eval("#events li .kind", (items) => items.map((item) => item.textContent ?? ""));

/**
 * Registers the hooks of a describe block: one Chromium for the block, a fresh world per test,
 * and a check after each that nothing went wrong in the page. Returns the current world.
 */
export function useDashboardWorld(): () => DashboardWorld {
  let browser: Browser;
  let world: DashboardWorld;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());
  beforeEach(async () => {
    world = await dashboardWorld(browser);
  });
  afterEach(async () => {
    await world.close();
    expect(world.problems).toEqual([]);
  });
  return () => world;
}
