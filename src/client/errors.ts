/**
 * The one error class of the client: the server's `{"error": {"code", "message", …}}` as a
 * typed error, plus the client's own codes for answers that never came (`NETWORK`) or are not
 * the API's (`BAD_RESPONSE`).
 */

/** Codes the HTTP API documents (docs/http-api.md). */
export type ServerErrorCode =
  | "INVALID_JSON"
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "NOT_FOUND"
  | "JOB_NOT_FOUND"
  | "METHOD_NOT_ALLOWED"
  | "INVALID_STATE"
  | "LEASE_LOST"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "VALIDATION"
  | "UNKNOWN_JOB_TYPE"
  | "INVALID_PAYLOAD"
  | "BACKEND_UNAVAILABLE"
  | "QUEUE_CLOSED"
  | "INTERNAL";

/**
 * Codes the client sets itself. `NETWORK`: no answer at all (connection refused or reset, DNS,
 * offline; `status` 0, the runtime's error as `cause`). `BAD_RESPONSE`: an answer that is not
 * the API's, e.g. a proxy's HTML error page (`status` is its status).
 */
export type ClientErrorCode = "NETWORK" | "BAD_RESPONSE";

/**
 * Any code a {@link QueueClientError} may carry: the documented ones autocomplete, and a
 * newer server's codes still fit.
 */
export type QueueClientErrorCode = ServerErrorCode | ClientErrorCode | (string & {});

/** One issue of an `INVALID_PAYLOAD` error: your schema's path and message. */
export interface PayloadIssue {
  path: string;
  message: string;
}

/**
 * Every failure of a client call. Branch on `code`, never on the message.
 *
 * @example
 * try {
 *   await client.retry(id);
 * } catch (error) {
 *   if (error instanceof QueueClientError && error.code === "INVALID_STATE") …
 * }
 */
export class QueueClientError extends Error {
  override readonly name = "QueueClientError";
  /**
   * The HTTP status; 0 when no answer came (`NETWORK`). An error the server reported inside an
   * event stream gets the status the same error has as a response (503, 404, 500).
   */
  readonly status: number;
  readonly code: QueueClientErrorCode;
  /** Seconds to wait before trying again (the `Retry-After` header of a 503), if given. */
  readonly retryAfter?: number;
  /** The request field the error is about (`VALIDATION`, `INVALID_PAYLOAD`, `BAD_REQUEST` …). */
  readonly field?: string;
  /** `INVALID_PAYLOAD`: what your schema said. */
  readonly issues?: PayloadIssue[];

  constructor(
    status: number,
    code: QueueClientErrorCode,
    message: string,
    details: {
      retryAfter?: number | undefined;
      field?: string | undefined;
      issues?: PayloadIssue[] | undefined;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = status;
    this.code = code;
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
    if (details.field !== undefined) this.field = details.field;
    if (details.issues !== undefined) this.issues = details.issues;
  }
}

/** Seconds from a `Retry-After` header (delta-seconds or an HTTP date), if it has one. */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = /^\d+$/.test(header) ? Number(header) : (Date.parse(header) - Date.now()) / 1e3;
  return Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : undefined;
}

/** The error a non-2xx response stands for; its body is read (and consumed). */
export async function errorFromResponse(response: Response): Promise<QueueClientError> {
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: unknown; message?: unknown; field?: string; issues?: PayloadIssue[] };
  } | null;
  const error = body?.error;
  const wait = retryAfter(response.headers.get("retry-after"));
  if (typeof error?.code !== "string") {
    return new QueueClientError(
      response.status,
      "BAD_RESPONSE",
      `HTTP ${response.status} without the API's error body`,
      { retryAfter: wait },
    );
  }
  return new QueueClientError(response.status, error.code, String(error.message ?? error.code), {
    retryAfter: wait,
    field: error.field,
    issues: error.issues,
  });
}

/** The `NETWORK` error for a fetch that threw. */
export function networkError(cause: unknown): QueueClientError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new QueueClientError(0, "NETWORK", `no answer from the queue API (${detail})`, { cause });
}

/**
 * True for failures worth trying again: no answer, 408, 429 and 5xx (an outage, a restart, a
 * proxy in between).
 */
export function isTransient(error: QueueClientError): boolean {
  const { status } = error;
  return status === 0 || status === 408 || status === 429 || status >= 500;
}
