/**
 * Who may call what: admin routes need a configured bearer token or the user's `authorize`
 * hook; a job's read routes also accept that job's signed stream token.
 */
import type { Context, MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";
import type { CrossSiteGuard } from "./cross-site.js";
import { HttpError } from "./errors.js";

/** Authentication for admin and mutating routes; `false` opens them (local development only). */
export type AuthOptions =
  | false
  | {
      /**
       * Accepted `Authorization: Bearer <token>` values, 16+ characters each. Typed to take
       * `process.env.X` directly: an undefined or empty entry fails at startup, naming
       * `auth.tokens`.
       */
      tokens?: ReadonlyArray<string | undefined> | undefined;
      /**
       * Your own check (sessions, JWTs …); return `true` to allow (any other value refuses).
       * A caller it admits by a cookie may change state only from the same origin (see
       * `cross-site.ts`).
       */
      authorize?: ((c: Context) => boolean | Promise<boolean>) | undefined;
    };

/** {@link AuthOptions} once checked: every token is a real string. */
export type CheckedAuth =
  | false
  | { tokens: readonly string[]; authorize?: (c: Context) => boolean | Promise<boolean> };

/** The bearer token of a request, if it has one. */
export function bearerToken(c: Context): string | null {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/** True if `token` equals any of `allowed`, compared in constant time. */
export async function matchesAny(
  token: string | null,
  allowed: readonly string[],
): Promise<boolean> {
  if (!token) return false;
  for (const candidate of allowed) if (await timingSafeEqual(candidate, token)) return true;
  return false;
}

/** How a request got admin rights: a configured bearer token, the `authorize` hook, or `auth: false`. */
export type AdminGrant = "token" | "authorize" | "open";

/** How the request carries admin rights, or null when it does not. */
export async function adminGrant(c: Context, auth: CheckedAuth): Promise<AdminGrant | null> {
  if (auth === false) return "open";
  if (await matchesAny(bearerToken(c), auth.tokens)) return "token";
  // Exactly `true`: a hook returning a session object or a string is a bug, not a yes.
  if (auth.authorize && (await auth.authorize(c)) === true) return "authorize";
  return null;
}

/** Whether the request carries admin rights. */
export async function isAdmin(c: Context, auth: CheckedAuth): Promise<boolean> {
  return (await adminGrant(c, auth)) !== null;
}

/** The 401 every refused request gets. */
export function unauthorized(message = "missing or invalid credentials"): HttpError {
  return new HttpError(401, "UNAUTHORIZED", message, undefined, { "WWW-Authenticate": "Bearer" });
}

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Middleware: admin rights or 401; a state change must not come from another site (403). */
export function adminOnly(auth: CheckedAuth, guard: CrossSiteGuard): MiddlewareHandler {
  return async (c, next) => {
    const grant = await adminGrant(c, auth);
    if (grant === null) throw unauthorized();
    if (!READS.has(c.req.method)) await guard(c, grant);
    await next();
  };
}

/**
 * Checks a secret option at startup: absent (`undefined`) is fine and means "off"; anything
 * else must be a string of at least `minLength` characters. The error names the option, so an
 * unset environment variable is found at once rather than as a TypeError on every request.
 */
export function assertSecret(value: unknown, option: string, minLength = 16): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length < Math.max(1, minLength)) {
    throw new Error(`${option} must be a string of at least ${minLength} characters (is it set?)`);
  }
  return value;
}

/** Checks options at construction so a misconfigured app fails at startup, not per request. */
export function assertAuthOptions(auth: AuthOptions | undefined): CheckedAuth {
  if (auth === false) return false;
  if (!auth || (!auth.tokens?.length && !auth.authorize)) {
    throw new Error(
      "queueRoutes needs auth: { tokens } and/or { authorize }, or auth: false to open it",
    );
  }
  const tokens = (auth.tokens ?? []).map((token, i) => {
    // Unlike a secret, a listed token may not be undefined: it was meant to be set.
    if (token === undefined) throw new Error(`auth.tokens[${i}] is undefined (is it set?)`);
    return assertSecret(token, `auth.tokens[${i}]`) as string;
  });
  return { ...auth, tokens };
}
