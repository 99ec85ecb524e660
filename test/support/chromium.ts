/**
 * Headless Chromium (Debian's `/usr/bin/chromium`, driven by playwright-core) for the browser
 * tests. Without it the tests are skipped with a loud warning locally, and fail in CI.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** Whether the browser tests can run; throws in CI when they cannot. */
export function chromiumAvailable(): boolean {
  const available = existsSync(CHROMIUM);
  if (!available && process.env.CI) {
    throw new Error("chromium is not installed; CI needs it (apt-get install -y chromium)");
  }
  if (!available) {
    console.warn("\n*** /usr/bin/chromium not found: the browser test is SKIPPED. ***\n");
  }
  return available;
}

/** Starts headless Chromium with the flags a sandboxed, offline machine needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
    ],
  });
}
