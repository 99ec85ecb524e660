/**
 * D1's size limits, and the payload limit that follows from them.
 *
 * D1 refuses a row (and any string) larger than its limit with `SQLITE_TOOBIG`: 2,000,000
 * bytes documented for production; miniflare 4.20260426 refuses a row over 2,200,000 bytes of
 * record (found by bisection: one text column holds 2,199,992 bytes, three hold 733,329 each).
 * What that leaves a payload: the SQLite core's row-limit.ts.
 */
import { TWO_MB_ROW_MAX_PAYLOAD_BYTES } from "../sqlite/row-limit.js";

/** Largest payload, result or progress data (UTF-8 bytes of its JSON) on D1. */
export const D1_MAX_PAYLOAD_BYTES = TWO_MB_ROW_MAX_PAYLOAD_BYTES;
