/**
 * `GET|POST /cron`: a budgeted drain, for a platform's cron (its secret) or an admin; calls
 * while one runs share it.
 */
import type { Hono } from "hono";
import type { JobDefinitions, Worker } from "../../src/index.js";
import { adminGrant, bearerToken, matchesAny, unauthorized } from "./auth.js";
import type { RouteKit } from "./route-kit.js";
import { sharedDrain } from "./shared-drain.js";

export function cronRoutes<J extends JobDefinitions>(
  app: Hono,
  kit: RouteKit<J>,
  worker: Worker<J>,
): void {
  const { cronSecret, auth } = kit;
  const { budgetMs } = kit;
  app.on(["GET", "POST"], "/cron", async (c) => {
    const viaSecret = cronSecret && (await matchesAny(bearerToken(c), [cronSecret]));
    if (!viaSecret) {
      const grant = await adminGrant(c, auth);
      if (grant === null) throw unauthorized();
      // Even a GET drains: a cookie caller must show it is not another site's <img>.
      await kit.crossSite(c, grant);
    }
    // Concurrent calls share one drain: together they never exceed the worker's concurrency.
    return c.json(await sharedDrain(worker, { budgetMs }));
  });
}
