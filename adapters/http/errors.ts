/**
 * Every error the HTTP API returns: JSON `{ error: { code, message } }` with the right status.
 * Messages never echo the request body.
 */
import type { Context } from "hono";
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

/** Status for each queue error code. */
const STATUS_BY_CODE: Record<string, ContentfulStatusCode> = {
  VALIDATION: 422,
  JOB_NOT_FOUND: 404,
  INVALID_STATE: 409,
  LEASE_LOST: 409,
  BACKEND_UNAVAILABLE: 503,
  QUEUE_CLOSED: 503,
};

/** Seconds a client should wait before retrying when the store is unreachable. */
const RETRY_AFTER_SECONDS = "5";

/** Maps any thrown value to its HTTP error. Unknown errors become a bare 500. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof QueueError) {
    const status = STATUS_BY_CODE[error.code] ?? 500;
    const field = (error as { field?: string }).field;
    return new HttpError(
      status,
      error.code,
      error.message,
      field ? { field } : undefined,
      status === 503 ? { "Retry-After": RETRY_AFTER_SECONDS } : undefined,
    );
  }
  return new HttpError(500, "INTERNAL", "internal error");
}

/** The JSON response for an error. */
export function errorResponse(c: Context, error: unknown): Response {
  const http = toHttpError(error);
  if (http.status === 500) console.error("jdobb-async-queue: unhandled error in route", error);
  for (const [name, value] of Object.entries(http.headers ?? {})) c.header(name, value);
  return c.json(
    { error: { code: http.code, message: http.message, ...http.details } },
    http.status,
  );
}
