/** The JSON shapes the HTTP API returns for jobs, and the links in them. */
import type { Context } from "hono";
import { baseRoutePath } from "hono/route";
import type { Job, JobError, JobUpdate } from "../../src/index.js";
import { HttpError } from "./errors.js";

/** Where a job's routes live, relative to the queue routes' mount point. */
export function jobLinks(base: string, id: string) {
  const self = `${base}/jobs/${encodeURIComponent(id)}`;
  return {
    self,
    events: `${self}/events`,
    result: `${self}/result`,
    cancel: `${self}/cancel`,
  };
}

/**
 * What a caller may see beyond a job's status: stream tokens are handed to browsers, and a
 * payload or a handler's error message (a store URL, a stack detail) may hold things a browser
 * should not see.
 */
export interface Visibility {
  payload: boolean;
  errorMessages: boolean;
}

/** Admins see everything. */
export const ADMIN_VIEW: Visibility = { payload: true, errorMessages: true };

const WITHHELD = "withheld: error messages are for admins";

/** A job's or update's error as the caller may see it: without its message, just its code. */
export function visibleError(error: JobError | null, visibility: Visibility): JobError | null {
  if (error === null || visibility.errorMessages) return error;
  return { code: error.code, message: WITHHELD };
}

/** An SSE update as the caller may see it. */
export function visibleUpdate(update: JobUpdate, visibility: Visibility): JobUpdate {
  if (update.error === null || visibility.errorMessages) return update;
  return { ...update, error: visibleError(update.error, visibility) };
}

/** A job's status as the caller may see it (see {@link Visibility}). */
export function jobView(job: Job, base: string, visibility: Visibility) {
  return {
    id: job.id,
    type: job.type,
    state: job.state,
    progress: job.progress,
    message: job.message,
    data: job.data,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    priority: job.priority,
    runAt: job.runAt,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    seq: job.seq,
    result: job.result,
    error: visibleError(job.error, visibility),
    ...(visibility.payload ? { payload: job.payload } : {}),
    links: jobLinks(base, job.id),
  };
}

/**
 * The mount point of the queue routes for this request: the mount's pattern (as given to
 * `app.route()`) with its parameters filled in, each percent-encoded. Never raw path text, so
 * a parameter cannot turn the base into `//host` or `/\host`; a parameter holding a backslash
 * (sent encoded, `%5C`) is refused with 404.
 */
export function mountBase(c: Context): string {
  const params = c.req.param() as Record<string, string | undefined>;
  const segments = baseRoutePath(c)
    .split("/")
    .map((segment) => {
      const name = /^:([^{?]+)/.exec(segment)?.[1];
      if (name === undefined) return segment;
      const value = params[name] ?? "";
      if (value.includes("\\")) throw new HttpError(404, "NOT_FOUND", "no such route");
      return encodeURIComponent(value);
    });
  return segments.join("/").replace(/\/+$/, "");
}
