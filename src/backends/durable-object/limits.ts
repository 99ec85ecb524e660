/**
 * Largest payload or result the Durable Object store keeps: a job row holds both, and a
 * Durable Object's SQLite (like D1) refuses a row over 2 MB (`SQLITE_TOOBIG`).
 */
export const DURABLE_OBJECT_MAX_PAYLOAD_BYTES = 900_000;
