/**
 * How the dashboard reads: screenshots at 1280×800 (docs/dashboard.md's), on a phone and in dark mode
 * (saved under test-artifacts/), no sideways scrolling on a phone, and a keyboard-only pass.
 */
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "../support/chromium.js";
import {
  ARTIFACTS,
  progressAtLeast,
  useDashboardWorld,
  waitForCount,
} from "../support/dashboard-page.js";

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("the dashboard's looks and keyboard use", () => {
  const world = useDashboardWorld();

  /** Jobs in every state, and one long job running; returns the running job's id. */
  async function busyQueue(): Promise<string> {
    const { queue } = world().server;
    const words = ["invoice-2041", "welcome-mail", "thumbnail", "sitemap", "digest", "export"];
    for (const [i, text] of words.entries()) await queue.enqueue("echo", { text, i });
    for (let i = 0; i < 2; i++) await queue.enqueue("fail", { i }, { maxAttempts: 1 });
    for (let i = 0; i < 3; i++) await queue.enqueue("echo", { text: "later" }, { delayMs: 90_000 });
    await queue.cancel(await queue.enqueue("echo", { text: "never" }, { delayMs: 90_000 }));
    await queue.schedule("nightly-digest", {
      cron: "0 3 * * *",
      timezone: "Europe/Paris",
      type: "echo",
      payload: { text: "digest" },
    });
    await queue.schedule("sitemap", { cron: "*/15 * * * *", type: "echo", payload: {} });
    return queue.enqueue("steps", { n: 40, everyMs: 150 });
  }

  it("at 1280×800, on a phone and in the dark: every part visible, no sideways scroll", async () => {
    const running = await busyQueue();
    const hash = `#state=completed&job=${running}`;

    const wide = await world().page();
    await world().signIn(wide, hash);
    await waitForCount(wide, "completed", 6);
    await waitForCount(wide, "failed", 2);
    await wide.waitForFunction(() => document.querySelectorAll("#rows tr").length === 6);
    await progressAtLeast(wide, 35);
    await wide.screenshot({ path: `${ARTIFACTS}dashboard-1280x800.png` });
    for (const part of ["#counts", "#jobs", "#detail", "#events li"]) {
      expect(await wide.isVisible(part), part).toBe(true);
    }
    // The list and the detail side by side.
    const [jobs, detail] = await Promise.all([wide.$("#jobs"), wide.$("#detail")]);
    const [a, b] = await Promise.all([jobs?.boundingBox(), detail?.boundingBox()]);
    expect((a?.x ?? 0) + (a?.width ?? 0)).toBeLessThanOrEqual(b?.x ?? 0);

    const phone = await world().page({ width: 390, height: 844 });
    await world().signIn(phone, hash);
    await waitForCount(phone, "completed", 6);
    await progressAtLeast(phone, 50);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await phone.screenshot({ path: `${ARTIFACTS}dashboard-phone.png`, fullPage: true });

    const dark = await world().page({ dark: true });
    await world().signIn(dark, hash);
    await waitForCount(dark, "completed", 6);
    await progressAtLeast(dark, 65);
    const background = await dark.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r = 255, g = 255, bl = 255] = (background.match(/\d+/g) ?? []).map(Number);
    expect(r + g + bl).toBeLessThan(120);
    await dark.screenshot({ path: `${ARTIFACTS}dashboard-dark.png` });
  }, 30_000);

  it("works from the keyboard: skip link first, visible focus, Enter opens a job, Escape closes it", async () => {
    for (let i = 0; i < 3; i++) await world().server.queue.enqueue("echo", { text: `key ${i}` });
    const page = await world().page();
    await world().signIn(page, "#state=completed");
    await page.reload(); // signed in already: nothing has focus, Tab starts at the top
    await page.waitForFunction(() => document.querySelectorAll("#rows tr").length === 3);

    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.className)).toBe("skip");
    let onRow = false;
    for (let i = 0; i < 40 && !onRow; i++) {
      await page.keyboard.press("Tab");
      onRow = await page.evaluate(() => document.activeElement?.matches("#rows a.id") ?? false);
    }
    expect(onRow).toBe(true);
    const ring = await page.evaluate(
      () => getComputedStyle(document.activeElement as Element).outlineStyle,
    );
    expect(ring).toBe("solid");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#detail[data-state='completed']");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("detail-title");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#detail", { state: "hidden" });

    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("search-id");
  });
});
