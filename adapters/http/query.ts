/** Reading query parameters and headers with a clear 400 when they are malformed. */
import type { Context } from "hono";
import { JOB_STATES } from "../../src/adapter-kit.js";
import type { JobState } from "../../src/index.js";
import { HttpError } from "./errors.js";

const badRequest = (message: string, field: string) =>
  new HttpError(400, "BAD_REQUEST", message, { field });

/** An integer query parameter within bounds, or the default when absent. */
export function intParam(
  c: Context,
  name: string,
  bounds: { min: number; max: number; fallback: number },
): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return bounds.fallback;
  // Plain decimal digits only: `Number()` would also take `0x10`, `1e3` and ` 5`.
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw badRequest(`${name} must be an integer from ${bounds.min} to ${bounds.max}`, name);
  }
  return value;
}

/**
 * A list cursor: every backend's cursor is a position, a non-negative integer (and the API
 * only ever hands out those); anything else is refused rather than read as "from the start".
 */
export function cursorParam(c: Context): string | null {
  const raw = c.req.query("cursor");
  if (raw === undefined || raw === "") return null;
  if (!/^\d{1,15}$/.test(raw))
    throw badRequest("cursor must be one a previous page returned", "cursor");
  return raw;
}

/** Job states from a comma-separated parameter; each must be a known state. */
export function statesParam(c: Context, name: string): JobState[] | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  const states = raw.split(",");
  const unknown = states.find((s) => !JOB_STATES.includes(s as JobState));
  if (unknown !== undefined) {
    throw badRequest(`${name} must be one or more of ${JOB_STATES.join(", ")}`, name);
  }
  return states as JobState[];
}

/** Where an SSE client resumes: `Last-Event-ID` (set by EventSource on reconnect) or `?after=`. */
export function resumeCursor(c: Context): number | undefined {
  const raw = c.req.header("last-event-id") ?? c.req.query("after");
  if (raw === undefined || raw === "") return undefined;
  if (!/^\d{1,15}$/.test(raw)) {
    throw badRequest("Last-Event-ID / after must be a non-negative integer", "after");
  }
  return Number(raw);
}
