import { describe, expect, it } from "vitest";
import { z } from "zod";
import { scheduledJobId } from "../../src/backend.js";
import { routesApp } from "../support/routes-app.js";

const putJson = (app: ReturnType<typeof routesApp>, path: string, body: unknown) =>
  app.asAdmin(path, {
    method: "PUT",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

describe("schedule routes", () => {
  it("answers 501 UNSUPPORTED to a PUT when the queue has no cron; lists all the same", async () => {
    const app = routesApp({}, { cron: undefined });
    const put = await putJson(app, "/schedules/nightly", { cron: "0 3 * * *", type: "echo" });
    expect(put.status).toBe(501);
    expect((await put.json()).error.code).toBe("UNSUPPORTED");
    expect((await app.asAdmin("/schedules")).status).toBe(200);
  });

  it("creates, lists and deletes a schedule; the cron route runs its ticks", async () => {
    const app = routesApp();
    const put = await putJson(app, "/schedules/nightly", {
      cron: "0 3 * * *",
      timezone: "Europe/Berlin",
      type: "echo",
      payload: { n: 1 },
      options: { priority: 2 },
    });
    expect(put.status).toBe(200);
    const start = app.clock.now();
    const firstTick = Date.UTC(2026, 0, 1, 2); // 03:00 in Berlin, winter time
    expect(start).toBeLessThan(firstTick);
    expect((await put.json()).schedule).toMatchObject({
      id: "nightly",
      nextRunAt: firstTick,
      lastRunAt: null,
      options: { priority: 2 },
    });
    const listed = await (await app.asAdmin("/schedules")).json();
    expect(listed.schedules.map((s: { id: string }) => s.id)).toEqual(["nightly"]);

    await app.clock.advance(firstTick - start);
    await app.worker.drain({ budgetMs: 5_000 });
    const job = await (
      await app.asAdmin(`/jobs/${scheduledJobId(app.queue.name, "nightly", firstTick)}`)
    ).json();
    expect(job).toMatchObject({ state: "completed", result: { echoed: { n: 1 } } });

    const deleted = await app.asAdmin("/schedules/nightly", { method: "DELETE" });
    expect(await deleted.json()).toEqual({ id: "nightly", deleted: true });
    const again = await app.asAdmin("/schedules/nightly", { method: "DELETE" });
    expect(await again.json()).toEqual({ id: "nightly", deleted: false });
  });

  it("refuses bad schedules with 422 and stores nothing; needs the admin token", async () => {
    const app = routesApp();
    const bad = [
      [{ cron: "nope", type: "echo" }, "cron"],
      [{ cron: "* * * * *", type: "echo", timezone: "Nowhere/Land" }, "timezone"],
      [{ cron: "* * * * *", type: "echo", extra: 1 }, undefined],
      [{ type: "echo" }, "cron"],
      [{ cron: "* * * * *", type: "echo", catchUp: "some" }, "catchUp"],
    ] as const;
    for (const [body, field] of bad) {
      const response = await putJson(app, "/schedules/s", body);
      expect(response.status).toBe(422);
      expect((await response.json()).error.field).toBe(field);
    }
    expect(
      (await putJson(app, "/schedules/bad%20id", { cron: "* * * * *", type: "echo" })).status,
    ).toBe(422);
    expect((await app.request("/schedules")).status).toBe(401);
    expect(await app.queue.schedules()).toEqual([]);
  });

  it("checks a schedule's type and payload against the queue's job types", async () => {
    const app = routesApp({}, { jobs: { echo: z.object({ n: z.number() }) } });
    const cron = "* * * * *";
    const unknown = await putJson(app, "/schedules/s", { cron, type: "nope", payload: {} });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error.code).toBe("UNKNOWN_JOB_TYPE");
    const invalid = await putJson(app, "/schedules/s", { cron, type: "echo", payload: { n: "x" } });
    expect(invalid.status).toBe(422);
    expect((await invalid.json()).error.code).toBe("INVALID_PAYLOAD");
    const valid = await putJson(app, "/schedules/s", { cron, type: "echo", payload: { n: 1 } });
    expect(valid.status).toBe(200);
    expect((await app.queue.schedules()).map((s) => s.id)).toEqual(["s"]);
  });
});
