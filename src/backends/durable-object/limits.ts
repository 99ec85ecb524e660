/**
 * Largest payload, result or progress `data` the Durable Object store keeps, each: a job's row
 * holds all three, and SQLite on Cloudflare (Durable Objects, D1) refuses a row over 2 MB
 * (`SQLITE_TOOBIG`). Three times this, plus the row's other columns, stays under it.
 */
export const DURABLE_OBJECT_MAX_PAYLOAD_BYTES = 600_000;
