/**
 * The dashboard in headless Chromium, against a real server: sign-in and the 401s, lists and
 * paging, a running job followed to completion across forced stream cuts, retry, cancel and
 * purge through the confirm dialog, schedules. Every wait is on the page's DOM; every test ends
 * with no CSP violation, page error or unexpected console error.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { chromiumAvailable } from "../support/chromium.js";
import { ADMIN } from "../support/client-server.js";
import {
  ARTIFACTS,
  eventKinds,
  progressAtLeast,
  useDashboardWorld,
  waitForCount,
  waitForDetailState,
} from "../support/dashboard-page.js";

const hasChromium = chromiumAvailable();

/** Waits until the pane's log shows a redrive and, last, the failure of the run after it. */
const failedAgainAfterRedrive = (page: Page) =>
  page.waitForFunction(
    () =>
      document.querySelector("#events li .kind")?.textContent === "failed" &&
      [...document.querySelectorAll("#events li .kind")].some((k) => k.textContent === "redriven"),
    null,
    { timeout: 10_000 },
  );

describe.skipIf(!hasChromium)("the dashboard in Chromium", () => {
  const world = useDashboardWorld();
  const enqueue = (type: string, payload: unknown, options = {}) =>
    world().server.queue.enqueue(type, payload, options);

  it("asks for the token; without it the data routes answer 401; a wrong one stays out", async () => {
    const page = await world().page();
    const response = await page.goto(`${world().server.url}/dashboard`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await page.waitForSelector("#sign-in:not([hidden])");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("token");
    const statuses = await page.evaluate(async () =>
      Promise.all(
        ["stats", "jobs?state=failed"].map(async (p) => (await fetch(`/queue/${p}`)).status),
      ),
    );
    expect(statuses).toEqual([401, 401]);
    await page.fill("#token", "not-the-token-0123456789");
    await page.press("#token", "Enter");
    await page.waitForSelector("#sign-in-error:text('That token was refused.')");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.isHidden("#app")).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-sign-in.png` });
  });

  it("signs in once per tab, pages through a state, finds a job by id, signs out", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await enqueue("echo", { text: `job ${i}` }));
    const page = await world().page();
    const sent: Array<{ url: string; authorization?: string }> = [];
    page.on("request", (r) =>
      sent.push({ url: r.url(), authorization: r.headers().authorization }),
    );
    await world().signIn(page);
    await waitForCount(page, "completed", 25);
    await page.click('button.count[data-state="completed"]');
    await page.waitForSelector("#jobs-title:text('Completed jobs')");
    await page.waitForFunction(() => document.querySelectorAll("#rows tr").length === 20);
    await page.click("#next");
    await page.waitForSelector("#page:text('Page 2')");
    await page.waitForFunction(() => document.querySelectorAll("#rows tr").length === 5);
    expect(await page.isDisabled("#next")).toBe(true);
    await page.click("#prev");
    await page.waitForSelector("#page:text('Page 1')");

    const id = ids[7] as string;
    await page.fill("#search-id", id);
    await page.press("#search-id", "Enter");
    await waitForDetailState(page, "completed");
    expect(await page.textContent("#detail-id")).toBe(id);
    expect(await page.textContent("#detail-body .result pre")).toContain('"text": "job 7"');
    await page.reload(); // signed in still (sessionStorage), the same job open (the address)
    await waitForDetailState(page, "completed");
    expect(await page.isVisible("#sign-in")).toBe(false);

    // The token went out as a bearer header on data calls, never in a URL.
    expect(
      sent.some((r) => r.url.endsWith("/queue/stats") && r.authorization === `Bearer ${ADMIN}`),
    ).toBe(true);
    expect(sent.filter((r) => r.url.includes(ADMIN))).toEqual([]);
    await page.click("#sign-out");
    await page.waitForSelector("#sign-in:not([hidden])");
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.isHidden("#app")).toBe(true);
  });

  it("follows a running job to completion across forced stream cuts: no gap, no repeat", async () => {
    const page = await world().page();
    await world().signIn(page, "#state=active");
    // Enqueued once the page is ready, and opened at once: the pane sees the whole run (3 s),
    // through streams the server ends every 700 ms.
    const id = await enqueue("steps", { n: 15, everyMs: 200 });
    await page.evaluate((job) => {
      location.hash = `state=active&job=${job}`;
    }, id);
    await progressAtLeast(page, 30);
    await page.screenshot({ path: `${ARTIFACTS}dashboard-running.png` });
    await waitForDetailState(page, "completed");
    const data = await page.$eval("#detail", (el) => ({ ...(el as HTMLElement).dataset }));
    const job = await world().server.queue.get(id);
    // Every event from 1 to the last, each once: as many shown as the log has, none out of turn.
    expect(Number(data.lastSeq)).toBe(job?.seq);
    expect(Number(data.events)).toBe(job?.seq);
    expect(data.breaks).toBe("0");
    expect(
      await page.$$eval("#events li", (items) =>
        items.map((i) => Number((i as HTMLElement).dataset.seq)),
      ),
    ).toEqual(Array.from({ length: job?.seq ?? 0 }, (_, i) => (job?.seq ?? 0) - i));
    expect(Number(data.opens)).toBeGreaterThanOrEqual(2); // the 700 ms cuts made it reconnect
    expect(await page.getAttribute("#detail .big-progress .bar", "aria-valuenow")).toBe("100");
    expect((await eventKinds(page))[0]).toBe("completed");
    expect(await page.textContent("#detail-body .result pre")).toContain('"steps": 15');
    expect(await page.isDisabled("#cancel")).toBe(true);
  });

  it("retries a failed job after the confirm dialog: Escape keeps it, Enter confirms", async () => {
    const id = await enqueue("fail", {}, { maxAttempts: 1 });
    const page = await world().page();
    await world().signIn(page, `#state=failed&job=${id}`);
    await waitForDetailState(page, "failed");
    expect(await page.textContent("#detail-body .error")).toContain("ON_PURPOSE");
    await page.click("#retry");
    await page.waitForSelector("#confirm[open]");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("confirm-ok");
    await page.keyboard.press("Escape");
    await page.waitForSelector("#confirm:not([open])", { state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("retry");
    expect((await world().server.queue.get(id))?.state).toBe("failed");

    await page.keyboard.press("Enter"); // the focused Retry button opens the dialog again
    await page.waitForSelector("#confirm[open]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#toast:text('Job queued again.')");
    // It runs again (and fails again: the handler always does), all in the pane's log.
    await failedAgainAfterRedrive(page);
    const kinds = (await eventKinds(page)).reverse();
    expect(kinds.slice(-3)).toEqual(["redriven", "active", "failed"]);
    const events = await world().server.queue.readEvents(id);
    expect(events.map((e) => e.type)).toEqual(kinds);
  });

  it("follows a retried job when the pane's last check of it answers after the retry", async () => {
    const id = await enqueue("fail", {}, { maxAttempts: 1 });
    const page = await world().page();
    // The pane asks for the job once on opening, then once more when its stream ends at the
    // terminal event. That second answer is read before the retry and held until after it.
    let gets = 0;
    let held = () => {};
    let retried = () => {};
    const secondGetHeld = new Promise<void>((resolve) => {
      held = resolve;
    });
    const afterRetry = new Promise<void>((resolve) => {
      retried = resolve;
    });
    await page.route(`**/queue/jobs/${id}`, async (route) => {
      if (route.request().method() !== "GET" || ++gets !== 2) return route.continue();
      const stale = await route.fetch();
      held();
      await afterRetry;
      await route.fulfill({ response: stale }).catch(() => {}); // the pane may have left it
    });
    await world().signIn(page, `#state=failed&job=${id}`);
    await waitForDetailState(page, "failed");
    await secondGetHeld;
    await page.click("#retry");
    await page.click("#confirm-ok");
    await page.waitForSelector("#toast:text('Job queued again.')");
    retried();
    await failedAgainAfterRedrive(page);
    expect(await page.$eval("#detail", (el) => (el as HTMLElement).dataset.breaks)).toBe("0");
  });

  it("cancels a running job after the confirm dialog", async () => {
    const id = await enqueue("wait", {});
    const page = await world().page();
    await world().signIn(page, `#state=active&job=${id}`);
    await waitForDetailState(page, "active");
    await page.click("#cancel");
    await page.click("#confirm-ok");
    await waitForDetailState(page, "cancelled");
    await page.waitForSelector("#toast:text('Job cancelled.')");
    expect((await world().server.queue.get(id))?.state).toBe("cancelled");
    await waitForCount(page, "cancelled", 1);
    expect(await page.isDisabled("#cancel")).toBe(true);
  });

  it("purges a finished state after the confirm dialog", async () => {
    for (let i = 0; i < 3; i++) await enqueue("echo", { text: `purge ${i}` });
    const page = await world().page();
    await world().signIn(page, "#state=completed");
    await waitForCount(page, "completed", 3);
    await page.waitForFunction(() => document.querySelectorAll("#rows tr").length === 3);
    await page.click("#purge");
    expect(await page.textContent("#confirm-text")).toContain("3 jobs in state completed");
    await page.keyboard.press("Enter");
    await waitForCount(page, "completed", 0);
    await page.waitForSelector("#empty:not([hidden])");
    expect((await world().server.queue.stats()).completed).toBe(0);
  });

  it("shows the queue's schedules and deletes one after a confirm", async () => {
    const page = await world().page();
    const listed = page.waitForResponse((r) => r.url().endsWith("/queue/schedules"));
    await world().signIn(page);
    expect((await listed).status()).toBe(200);
    await page.waitForSelector("#schedules-empty:not([hidden])");

    const { queue } = world().server;
    await queue.schedule("nightly-report", {
      cron: "0 3 * * *",
      timezone: "Europe/Paris",
      type: "echo",
      payload: { text: "report" },
    });
    await queue.schedule("every-minute", { cron: "* * * * *", type: "echo", payload: {} });
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll("#schedule-rows tr").length === 2);
    expect(await page.textContent("#schedule-rows")).toContain("Europe/Paris");
    await page.click("#schedule-rows tr:first-child button");
    await page.click("#confirm-ok");
    await page.waitForFunction(() => document.querySelectorAll("#schedule-rows tr").length === 1);
    expect((await queue.schedules()).map((s) => s.id)).toEqual(["nightly-report"]);
    await page.waitForSelector("#toast:text('Schedule removed.')");

    // Removed meanwhile (another tab, the API): the delete removes nothing, and says so.
    await queue.unschedule("nightly-report");
    await page.click("#schedule-rows tr:first-child button");
    await page.click("#confirm-ok");
    await page.waitForSelector("#toast.error:text('Schedule nightly-report was not found.')");
    await page.waitForSelector("#schedules-empty:not([hidden])");
  });
});
