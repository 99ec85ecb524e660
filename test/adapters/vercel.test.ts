/** The Vercel route handlers: one per method the API answers to. */
import { describe, expect, it } from "vitest";
import { vercelHandlers } from "../../adapters/vercel.js";
import { memoryQueue } from "../support/memory-queue.js";
import { ADMIN } from "../support/routes-app.js";

const auth = { authorization: `Bearer ${ADMIN}` };

describe("vercelHandlers", () => {
  it("exports PUT (schedules) and HEAD besides GET, POST, DELETE and OPTIONS", async () => {
    const { queue } = memoryQueue();
    const handlers = vercelHandlers({ queue, routes: { auth: { tokens: [ADMIN] } } });
    const url = "https://app.example/api/queue/schedules/nightly";
    const put = await handlers.PUT(
      new Request(url, {
        method: "PUT",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ cron: "0 3 * * *", type: "report" }),
      }),
    );
    expect(put.status).toBe(200);
    expect((await queue.schedules()).map((s) => s.id)).toEqual(["nightly"]);
    const head = await handlers.HEAD(
      new Request("https://app.example/api/queue/stats", { method: "HEAD", headers: auth }),
    );
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });
});
