/** What a failed libSQL call becomes in the public API: unavailable, or refused. */
import type { QueueError } from "../../errors.js";
import { missingPeer } from "../../internal/missing-peer.js";
import { briefly, describe, refused, unavailable } from "../../internal/store-errors.js";

/**
 * Codes of `@libsql/client` errors that mean the call got no usable reply (an HTTP error
 * status, a broken stream) or the database is busy: worth retrying later.
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
 * The error the public API throws for a failed store call. The client answers a reply it got
 * with a coded `LibsqlError`; an error with no string `code` never reached the database (the
 * runtime's fetch failed: Node's `TypeError: fetch failed`, workerd's `Network connection
 * lost.` or `internal error; reference=…`). A driver that is not installed is a
 * `MissingPeerError` naming the package.
 */
export function storeError(backend: string, error: unknown): QueueError {
  const missing = missingPeer(error, backend); // the driver's lazy import found no package
  if (missing) return missing;
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== "string" || UNAVAILABLE_CODES.has(code)) {
    return unavailable(backend, describe(error));
  }
  return refused(backend, `${code}: ${briefly(error)}`);
}
