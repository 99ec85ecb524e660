import { describe, expect, it } from "vitest";
import { serve } from "../../adapters/node.js";
import { demoApp } from "../../examples/node/app.js";
import { registerDemoHandlers } from "../../examples/node/jobs.js";
import { Worker } from "../../src/index.js";
import { chromiumAvailable, launchChromium } from "../support/chromium.js";
import { memoryQueue } from "../support/memory-queue.js";

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("the demo page in Chromium", () => {
  it("follows a job with the client across forced reconnects: gap-free, no duplicates", async () => {
    const { queue } = memoryQueue({ clock: undefined }); // a real browser needs real time
    const worker = registerDemoHandlers(new Worker(queue, { concurrency: 2 }), queue, 300);
    // Streams end every 700 ms, so the page's client must reconnect (resuming after the last
    // update it saw) mid-job.
    const app = demoApp({
      queue,
      worker,
      token: "browser-admin-token-0123456789",
      sse: { maxStreamMs: 700, retryMs: 100 },
    });
    const running = await serve({
      fetch: app.fetch,
      queue,
      worker,
      drains: { loop: true },
      port: 0,
      signals: false,
    });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const scripts: string[] = [];
      page.on("response", (response) => {
        if (response.url().endsWith(".js")) scripts.push(`${response.status()} ${response.url()}`);
      });
      await page.goto(`${running.url}/`);
      await page.click("#go");
      await page.waitForFunction(() => document.body.dataset.done !== undefined, null, {
        timeout: 15_000,
      });
      const data = await page.evaluate(() => ({ ...document.body.dataset }));
      expect(data.done).toBe("completed");
      expect(scripts).toEqual([`200 ${running.url}/client.js`]); // the client bundle, served
      expect(Number(data.opens)).toBeGreaterThanOrEqual(2); // it did reconnect
      const seen = String(data.seen).split(",").map(Number);
      expect(seen).toEqual(seen.map((_, i) => (seen[0] as number) + i)); // gap-free, no repeats
      expect(await page.textContent("#status")).toContain("completed");
      expect((await queue.get(String(data.job)))?.result).toEqual({
        thumbnail: "browser.thumb.png",
      });
    } finally {
      await browser.close();
      await running.close();
    }
  }, 30_000);
});
