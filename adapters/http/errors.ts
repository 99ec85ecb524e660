/**
 * Every error the HTTP API returns: JSON `{ error: { code, message } }` with the right status.
 * Messages are fixed texts: they never echo the request (body, ids, types, field names the API
 * does not define) nor what a store said.
 */
import type { Context } from "hono";
import { routePath } from "hono/route";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { QueueError } from "../../src/index.js";

/** An error with an HTTP status and a stable code, thrown by route handlers. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/**
 * Status and message for each queue error code. `null` keeps the error's own message: the
 * core's validation messages are fixed texts that name only API fields and limits.
 */
const QUEUE_ERRORS: Record<string, { status: ContentfulStatusCode; message: string | null }> = {
  VALIDATION: { status: 422, message: null },
  UNKNOWN_JOB_TYPE: { status: 422, message: null },
  INVALID_PAYLOAD: { status: 422, message: null },
  JOB_NOT_FOUND: { status: 404, message: "job not found" },
  INVALID_STATE: { status: 409, message: "the job's state does not allow this" },
  LEASE_LOST: { status: 409, message: "the job's lease was lost" },
  BACKEND_UNAVAILABLE: { status: 503, message: "the store is unavailable, retry later" },
  QUEUE_CLOSED: { status: 503, message: "the queue is shutting down, retry later" },
  UNSUPPORTED: { status: 501, message: "the queue's store does not support this feature" },
};

/** Seconds a client should wait before retrying when the store is unreachable. */
const RETRY_AFTER_SECONDS = "5";

/** Maps any thrown value to its HTTP error. Unknown errors become a bare 500. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const known = error instanceof QueueError ? QUEUE_ERRORS[error.code] : undefined;
  if (!(error instanceof QueueError) || !known) {
    return new HttpError(500, "INTERNAL", "internal error");
  }
  const { field, issues } = error as { field?: string; issues?: unknown };
  const details = { ...(field ? { field } : {}), ...(issues ? { issues } : {}) };
  return new HttpError(
    known.status,
    error.code,
    known.message ?? error.message,
    Object.keys(details).length > 0 ? details : undefined,
    known.status === 503 ? { "Retry-After": RETRY_AFTER_SECONDS } : undefined,
  );
}

/** A batch's error about one item, its field named in the request's terms: `jobs.<i>.<field>`. */
export function inBatchItem(error: unknown): unknown {
  const item = error instanceof QueueError ? error.item : undefined;
  if (item === undefined) return error;
  const http = toHttpError(error);
  const field = http.details?.field;
  const prefixed = typeof field === "string" ? `jobs.${item}.${field}` : `jobs.${item}`;
  return new HttpError(
    http.status,
    http.code,
    http.message,
    { ...http.details, field: prefixed },
    http.headers,
  );
}

/**
 * The one log line of a 500: the error's class and code, the method, the route pattern and the
 * job id. Never the message, cause or stack: a store client's error may carry the whole
 * command, payload included.
 */
export function internalErrorLine(c: Context, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  // Its own `name` first: a minified bundle renames classes (not names they set themselves).
  const name = error instanceof Error ? ownName(error) : typeof error;
  const id = c.req.param("id");
  return [
    "jdobb-async-queue: internal error in",
    c.req.method,
    routePath(c) || "(no route)",
    id === undefined ? "" : `job=${JSON.stringify(id.slice(0, 100))}`,
    `error=${name}`,
    typeof code === "string" || typeof code === "number" ? `code=${JSON.stringify(code)}` : "",
  ]
    .filter(Boolean)
    .join(" ");
}

/** An error's class name: the `name` it sets, or its constructor's for a plain `Error` subclass. */
const ownName = (error: Error): string =>
  error.name && error.name !== "Error" ? error.name : error.constructor.name;

/** The JSON response for an error. */
export function errorResponse(c: Context, error: unknown): Response {
  const http = toHttpError(error);
  if (http.status === 500) console.error(internalErrorLine(c, error));
  for (const [name, value] of Object.entries(http.headers ?? {})) c.header(name, value);
  return c.json(
    { error: { code: http.code, message: http.message, ...http.details } },
    http.status,
  );
}
