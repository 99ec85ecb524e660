/** What a failed libSQL call means for the SQLite core (see `ErrorClassifier`). */
import { briefly, describe } from "../../internal/store-errors.js";
import type { ClassifiedError } from "../sqlite/client.js";

/**
 * Codes of `@libsql/client` (and `libsql` engine) errors that mean the call got no usable
 * reply (an HTTP error status, a broken stream) or the database is busy: worth retrying.
 */
const UNAVAILABLE_CODES = new Set([
  "SERVER_ERROR",
  "HRANA_WEBSOCKET_ERROR",
  "HRANA_CLOSED_ERROR",
  "HRANA_PROTO_ERROR",
  "STREAM_EXPIRED",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
]);

/**
 * libSQL reports a missing table or column as a generic `SQLITE_ERROR`: only its text tells
 * (`no such table: …`, `no such column: …`, `table … has no column named …`).
 */
const MISSING_SCHEMA = /no such (table|column)|has no column named/i;

/**
 * Classifies a libSQL error. The client answers a reply it got with a coded `LibsqlError`; an
 * error with no string `code` never reached the database (the runtime's fetch failed: Node's
 * `TypeError: fetch failed`, workerd's `Network connection lost.` or `internal error;
 * reference=…`).
 */
export function classifyLibsqlError(error: unknown): ClassifiedError {
  const code = (error as { code?: unknown })?.code;
  if (MISSING_SCHEMA.test(briefly(error))) {
    return { kind: "missing-schema", detail: `${String(code)}: ${briefly(error)}` };
  }
  if (typeof code !== "string" || UNAVAILABLE_CODES.has(code)) {
    return { kind: "unavailable", detail: describe(error) };
  }
  return { kind: "refused", detail: `${code}: ${briefly(error)}` };
}
