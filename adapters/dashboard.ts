/**
 * The dashboard of the HTTP API, its own entry point: counts, jobs per state, a job's live event
 * log, retry / cancel / purge. Only an app that imports this carries the page's assets.
 *
 * @example
 * import { dashboard } from "jdobb-async-queue/dashboard";
 * app.route("/queue", queueRoutes(queue, { auth: { tokens: [env.API_TOKEN] }, dashboard: dashboard() }));
 * // GET /queue/dashboard: sign in with one of auth.tokens
 */
import type { Dashboard } from "./http/dashboard-option.js";
import { type DashboardOptions, dashboardRoutes, pollInterval } from "./http/routes-dashboard.js";

export type { Dashboard } from "./http/dashboard-option.js";
export type { DashboardOptions } from "./http/routes-dashboard.js";

/**
 * A dashboard for the routes' `dashboard` option, served at `GET <mount point>/dashboard`. The
 * page is public (no data in it); it asks for one of `auth.tokens` and calls the admin routes
 * with it. Invalid options throw here, at startup.
 */
export function dashboard(options: DashboardOptions = {}): Dashboard {
  const pollMs = pollInterval(options);
  return { mount: (app) => dashboardRoutes(app, pollMs) };
}
