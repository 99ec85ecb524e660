/**
 * The answer for a request no route took: JSON 404 for an unknown path, JSON 405 with `Allow`
 * for a known path and the wrong method. Registered as the sub-app's last route (`all("*")`)
 * because a mounted sub-app's `notFound` is never consulted: the parent's plain-text 404 would
 * answer instead.
 */
import type { Handler, Hono } from "hono";
import { routePath } from "hono/route";
import { HttpError } from "./errors.js";

interface KnownRoute {
  pattern: RegExp;
  method: string;
}

/** The app's concrete routes (not middleware or catch-alls) as path patterns. */
function knownRoutes(app: Hono): KnownRoute[] {
  return app.routes
    .filter((route) => route.method !== "ALL" && !route.path.includes("*"))
    .map((route) => ({
      method: route.method,
      // Route paths here are literal segments and `:param`s.
      pattern: new RegExp(`^${route.path.replace(/:[^/]+/g, "[^/]+")}/?$`),
    }));
}

/** The methods `path` (relative to the app) answers to, sorted; HEAD wherever GET is. */
function allowedMethods(routes: KnownRoute[], path: string): string[] {
  const methods = new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method));
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

/**
 * A handler to register last with `app.all("*", …)`: throws the 404 or 405 for whatever
 * reached it. Reads `app.routes` on first use, when every route is registered.
 */
export function unmatchedRoute(app: Hono): Handler {
  let routes: KnownRoute[] | undefined;
  return (c) => {
    routes ??= knownRoutes(app);
    // This handler's own pattern is `<mount point>/*`: strip the mount point off the path.
    const base = routePath(c).replace(/\/?\*$/, "");
    const allowed = allowedMethods(routes, c.req.path.slice(base.length) || "/");
    if (allowed.length === 0) throw new HttpError(404, "NOT_FOUND", "no such route");
    throw new HttpError(
      405,
      "METHOD_NOT_ALLOWED",
      "this route does not take that method",
      {},
      {
        Allow: allowed.join(", "),
      },
    );
  };
}
