/**
 * Largest payload, result or progress `data` the Durable Object store keeps, each: the
 * object's SQLite caps a row at 2 MB (see the SQLite core's row-limit.ts).
 */
import { TWO_MB_ROW_MAX_PAYLOAD_BYTES } from "../sqlite/row-limit.js";

export const DURABLE_OBJECT_MAX_PAYLOAD_BYTES = TWO_MB_ROW_MAX_PAYLOAD_BYTES;
