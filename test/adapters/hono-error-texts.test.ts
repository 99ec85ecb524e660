/** A handler's error message goes to admins; a stream-token holder (a browser) gets its code. */
import { describe, expect, it } from "vitest";
import type { Job } from "../../src/index.js";
import { routesApp } from "../support/routes-app.js";
import { collectEvents } from "../support/sse-client.js";

const SECRET = "connect ECONNREFUSED postgres://admin:hunter2@db";

async function failedJob(app: ReturnType<typeof routesApp>) {
  const { id, streamToken } = await (await app.postJson("/jobs", { type: "echo" })).json();
  const job = (await app.queue.claim()) as Job;
  await app.queue.fail(job, Object.assign(new Error(SECRET), { code: "DB_DOWN" }), {
    retry: false,
  });
  return { id: id as string, token: streamToken as string };
}

describe("job error messages", () => {
  it("reach admins, and only the code reaches stream-token holders", async () => {
    const app = routesApp();
    const { id, token } = await failedJob(app);
    const admin = await (await app.asAdmin(`/jobs/${id}`)).json();
    expect(admin.error).toMatchObject({ code: "DB_DOWN", message: SECRET });
    for (const path of [`/jobs/${id}?token=${token}`, `/jobs/${id}/result?token=${token}`]) {
      const view = await (await app.request(path)).json();
      expect(view.state).toBe("failed");
      expect(view.error.code).toBe("DB_DOWN");
      expect(JSON.stringify(view)).not.toContain("hunter2");
    }
    const events = await collectEvents(await app.request(`/jobs/${id}/events?token=${token}`));
    expect(events.map((e) => e.event)).toEqual(["snapshot"]);
    expect(JSON.stringify(events)).not.toContain("hunter2");
    const resumed = await collectEvents(
      await app.request(`/jobs/${id}/events?token=${token}&after=1`),
    );
    expect(resumed.at(-1)?.event).toBe("failed");
    expect(JSON.stringify(resumed)).not.toContain("hunter2");
    const asAdmin = await collectEvents(await app.asAdmin(`/jobs/${id}/events?after=1`));
    expect(JSON.stringify(asAdmin)).toContain("hunter2");
  });

  it("reach stream-token holders with exposeErrors: true", async () => {
    const app = routesApp({ exposeErrors: true });
    const { id, token } = await failedJob(app);
    const view = await (await app.request(`/jobs/${id}?token=${token}`)).json();
    expect(view.error.message).toBe(SECRET);
  });
});
