/**
 * Cross-site request forgery: a page of another site can make a browser send simple requests
 * (a form POST, an `<img>` GET) with the user's cookies attached. Callers admitted by cookies
 * (an `authorize` hook) or by `auth: false` may therefore change state only from a request a
 * cross-site page could not have sent; a bearer token is proof enough on its own (a page
 * cannot attach one to a simple request).
 */
import type { Context } from "hono";
import type { cors } from "hono/cors";
import type { AdminGrant } from "./auth.js";
import { HttpError } from "./errors.js";

/**
 * Whether a browser may have sent the request for a page of another site. `Sec-Fetch-Site`
 * (every current browser) decides: only `same-origin` and `none` (typed by the user) pass;
 * without it, an `Origin` must be the request's own. With neither, a non-browser client sent
 * it, or an old browser's GET (which sends no Origin): GETs are refused, other methods pass
 * (browsers send `Origin` on every cross-origin POST, PUT and DELETE).
 */
export function maybeCrossSite(c: Context): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined) return site !== "same-origin" && site !== "none";
  const origin = c.req.header("origin");
  if (origin !== undefined) return origin !== new URL(c.req.url).origin;
  return c.req.method === "GET" || c.req.method === "HEAD";
}

/** Throws 403 if a state-changing request admitted by a grant may come from another site. */
export type CrossSiteGuard = (c: Context, grant: AdminGrant) => Promise<void>;

type CorsOptions = NonNullable<Parameters<typeof cors>[0]>;

/**
 * The guard of state changes. Origins the routes' `cors` option lets send credentials
 * (`credentials: true` and an explicit origin, list or function; never `*`) are trusted: a
 * cookie caller from one of them may change state, as that setting intends.
 */
export function crossSiteGuard(corsOptions: CorsOptions | undefined): CrossSiteGuard {
  const allowed = corsOptions?.credentials === true ? corsOptions.origin : undefined;
  const trusted = async (origin: string, c: Context): Promise<boolean> => {
    if (typeof allowed === "string") return allowed !== "*" && allowed === origin;
    if (Array.isArray(allowed)) return allowed.includes(origin);
    if (typeof allowed === "function") return (await allowed(origin, c)) === origin;
    return false;
  };
  return async (c, grant) => {
    if (grant === "token" || !maybeCrossSite(c)) return;
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== "null" && (await trusted(origin, c))) return;
    throw new HttpError(
      403,
      "CROSS_SITE",
      "this request may come from another site: send it from the same origin or with a bearer token",
    );
  };
}
