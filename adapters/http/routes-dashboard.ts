/**
 * The dashboard: `GET <base>/dashboard` serves one page, its script and stylesheet come from
 * `<base>/dashboard/app.<hash>.js|css`. All three are strings built ahead of time
 * (`adapters/http/dashboard-assets.generated.ts`), so it runs wherever the routes do, with
 * nothing else to deploy and no file read at run time. The page is public; every data call it
 * makes goes to the admin routes with the token the user signs in with.
 */
import type { Context, Hono } from "hono";
import { DASHBOARD_ASSETS, type DashboardAsset } from "./dashboard-assets.generated.js";
import { HttpError } from "./errors.js";
import { mountBase } from "./job-view.js";
import { msOption } from "./options.js";

/** Options of the dashboard (`dashboard({ … })` of `jdobb-async-queue/dashboard`). */
export interface DashboardOptions {
  /**
   * How often the page refreshes the counts while it is visible (one `GET /stats`, one store
   * call). Default 5000 ms; at least 1000. The page backs off while the API is unreachable.
   */
  pollMs?: number | undefined;
}

/**
 * The page may load its own script and stylesheet and call its own origin; nothing inline,
 * nothing third-party, and no framing.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const COMMON_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

const escapeAttribute = (text: string) =>
  text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/** Checks the options at startup; returns the poll interval. */
export function pollInterval(options: DashboardOptions): number {
  return msOption(options.pollMs, "dashboard.pollMs", 5_000, { min: 1_000, max: 3_600_000 });
}

/** Registers the dashboard's routes on the queue routes' app; `pollMs` as checked. */
export function dashboardRoutes(app: Hono, pollMs: number): void {
  const { html, script, style } = DASHBOARD_ASSETS;

  const page = (c: Context) => {
    // The mount point, from the matched mount (never the raw path): asset URLs are absolute,
    // so `/dashboard/` works as well as `/dashboard`.
    const base = mountBase(c);
    const at = (asset: DashboardAsset) => escapeAttribute(`${base}/dashboard/${asset.name}`);
    // Replaced by functions: a `$` in the path is not a replacement pattern.
    const body = html
      .replace("%BASE%", () => escapeAttribute(base))
      .replace("%POLL_MS%", () => String(pollMs))
      .replace("%SCRIPT%", () => at(script))
      .replace("%STYLE%", () => at(style));
    return c.body(body, 200, {
      ...COMMON_HEADERS,
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": DASHBOARD_CSP,
      // Revalidated on each visit: it names the current script and stylesheet.
      "Cache-Control": "no-cache",
    });
  };
  app.get("/dashboard", page);
  app.get("/dashboard/", page);

  // A Map: a plain object would answer `__proto__` or `toString` from its prototype.
  const files = new Map([
    [script.name, { asset: script, type: "text/javascript; charset=utf-8" }],
    [style.name, { asset: style, type: "text/css; charset=utf-8" }],
  ]);
  app.get("/dashboard/:file", (c) => {
    const file = files.get(c.req.param("file"));
    if (!file) throw new HttpError(404, "NOT_FOUND", "no such route");
    return c.body(file.asset.body, 200, {
      ...COMMON_HEADERS,
      "Content-Type": file.type,
      // The name carries the content's hash: a new build is a new name.
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });
}
