/**
 * D1's size limits, and the payload limit that follows from them.
 *
 * D1 refuses a row (and any string) larger than its limit with `SQLITE_TOOBIG`: 2,000,000
 * bytes documented for production; miniflare 4.20260426 refuses a row over 2,200,000 bytes of
 * record (found by bisection: one text column holds 2,199,992 bytes, three hold 733,329 each).
 * A job's row may hold its payload, its last progress data and its result at once (each is
 * capped by `maxPayloadBytes`), plus the message, error and ids; its `completed` event copies
 * the data and the result. Three times this limit is 1,800,000 bytes, which leaves 200,000
 * bytes of the documented row for the rest.
 */

/** Largest payload, result or progress data (UTF-8 bytes of its JSON) on D1. */
export const D1_MAX_PAYLOAD_BYTES = 600_000;
