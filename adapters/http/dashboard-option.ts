/**
 * The `dashboard` option of the routes, apart from the page itself: what `queueRoutes` needs to
 * mount a dashboard, and the startup check of the option. The page (its 34 KiB of built assets)
 * lives behind the `jdobb-async-queue/dashboard` entry, so only an app that imports it carries it.
 */
import type { Hono } from "hono";
import { ValidationError } from "../../src/index.js";

/** A dashboard to serve: made by `dashboard()` of `jdobb-async-queue/dashboard`. */
export interface Dashboard {
  /** Registers the page's routes (`/dashboard`, `/dashboard/:file`) on the routes' app. */
  readonly mount: (app: Hono) => void;
}

/** How to get a dashboard, said by the startup error for any other value. */
const HOW =
  'dashboard takes dashboard() from "jdobb-async-queue/dashboard" (import { dashboard } from "jdobb-async-queue/dashboard"; dashboard: dashboard())';

/**
 * Mounts `option` on `app`: nothing when it is left out (or `false`); throws a
 * {@link ValidationError} for anything but a {@link Dashboard}, `true` included (the page is
 * no longer part of the routes' entry).
 */
export function mountDashboard(app: Hono, option: Dashboard | false | undefined): void {
  if (option === undefined || option === false) return;
  if (typeof (option as Dashboard | null)?.mount !== "function") {
    throw new ValidationError(HOW, "dashboard");
  }
  option.mount(app);
}
