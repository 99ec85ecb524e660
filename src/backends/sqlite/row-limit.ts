/**
 * The payload limit of a SQLite host that caps a row at 2 MB (Cloudflare's D1 and Durable
 * Objects refuse a larger row or string with `SQLITE_TOOBIG`). A job's row may hold its
 * payload, its last progress data and its result at once, each capped by `maxPayloadBytes`,
 * plus its message, error and ids; its `completed` event copies the data and the result.
 * Three times this is 1,800,000 bytes, which leaves 200,000 bytes of the row for the rest.
 * Measured in miniflare: three columns of 900 KB fail, three of 600 KB are kept.
 */
export const TWO_MB_ROW_MAX_PAYLOAD_BYTES = 600_000;
