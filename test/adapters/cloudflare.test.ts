/** The Cloudflare adapter in process (the workerd runtime test covers the real thing). */
import { describe, expect, it } from "vitest";
import { cloudflareWorker, WORKERS_MAX_STORE_POLLS } from "../../adapters/cloudflare.js";
import { Worker } from "../../src/index.js";
import { systemClock } from "../../src/internal/clock.js";
import { memoryQueue } from "../support/memory-queue.js";
import { ADMIN } from "../support/routes-app.js";
import { readSse } from "../support/sse-client.js";

describe("cloudflareWorker", () => {
  it("bounds each SSE stream's store calls to stay under the Free plan's 50 subrequests", async () => {
    const { queue, calls } = memoryQueue({ clock: systemClock });
    const handlers = cloudflareWorker({
      setup: () => ({
        queue,
        worker: new Worker(queue),
        routes: { auth: { tokens: [ADMIN] }, sse: { pollMs: { min: 1, max: 1 } } },
      }),
    });
    const id = await queue.enqueue("quiet");
    const storeCalls = () => (calls.get("get") ?? 0) + (calls.get("readEvents") ?? 0);
    const before = storeCalls();
    const res = await handlers.fetch(
      new Request(`http://worker/queue/jobs/${id}/events`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      }),
      {},
      { waitUntil: () => {} },
    );
    const items: string[] = [];
    for await (const item of readSse(res)) items.push(item.kind);
    expect(items).toEqual(["retry", "event", "retry"]); // the snapshot, then a clean hand-over
    expect(storeCalls() - before).toBe(WORKERS_MAX_STORE_POLLS + 1);
    expect(storeCalls() - before).toBeLessThan(50);
  }, 5_000);
});
