/** Admin routes for recurring schedules: `GET /schedules`, `PUT|DELETE /schedules/:id`. */
import type { Hono } from "hono";
import type { JobDefinitions, ScheduleOptions } from "../../src/index.js";
import { readJsonBody } from "./enqueue-request.js";
import { HttpError } from "./errors.js";
import type { RouteKit } from "./route-kit.js";

const FIELDS = new Set(["cron", "timezone", "type", "payload", "options", "catchUp"]);

/** A `PUT /schedules/:id` body, its shape checked (the queue checks every value). */
function toScheduleOptions(body: unknown): ScheduleOptions {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(422, "VALIDATION", "the body must be a JSON object");
  }
  if (Object.keys(body).some((key) => !FIELDS.has(key))) {
    throw new HttpError(422, "VALIDATION", "the body has a field the API does not define");
  }
  const fields = body as Record<string, unknown>;
  for (const field of ["cron", "type"]) {
    if (typeof fields[field] !== "string") {
      throw new HttpError(422, "VALIDATION", `${field} must be a string`, { field });
    }
  }
  return fields as unknown as ScheduleOptions;
}

export function scheduleRoutes<J extends JobDefinitions>(app: Hono, kit: RouteKit<J>): void {
  const { queue, admin } = kit;

  app.get("/schedules", admin, async (c) => c.json({ schedules: await queue.schedules() }));

  // Creates or replaces; a re-sent PUT stores the same schedule again.
  app.put("/schedules/:id", admin, kit.bodyLimit, async (c) => {
    const id = c.req.param("id");
    const options = toScheduleOptions(await readJsonBody(c));
    return c.json({ schedule: await queue.schedule(id, options as never) });
  });

  app.delete("/schedules/:id", admin, async (c) => {
    const id = c.req.param("id");
    return c.json({ id, deleted: await queue.unschedule(id) });
  });
}
