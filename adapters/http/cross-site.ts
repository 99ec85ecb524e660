/**
 * Cross-site request forgery: a page of another site can make a browser send simple requests
 * (a form POST, an `<img>` GET) with the user's cookies attached. Callers admitted by cookies
 * (an `authorize` hook) or by `auth: false` may therefore change state only from a request a
 * cross-site page could not have sent; a bearer token is proof enough on its own (a page
 * cannot attach one to a simple request).
 */
import type { Context } from "hono";
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

/** Throws 403 if a state-changing request admitted by `grant` may come from another site. */
export function refuseCrossSite(c: Context, grant: AdminGrant): void {
  if (grant === "token" || !maybeCrossSite(c)) return;
  throw new HttpError(
    403,
    "CROSS_SITE",
    "this request may come from another site: send it from the same origin or with a bearer token",
  );
}
