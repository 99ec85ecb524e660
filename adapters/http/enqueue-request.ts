/**
 * Reads and checks an enqueue request body: `{ type, payload?, priority?, delayMs?, runAt?,
 * maxAttempts?, idempotencyKey?, backoff? }`. The queue itself checks the type and payload
 * against its job schemas (and every option's range) when the item is enqueued.
 */
import type { Context } from "hono";
import { jsonDepth, MAX_JSON_DEPTH, type StandardSchema } from "../../src/adapter-kit.js";
import type { EnqueueItem, EnqueueOptions } from "../../src/index.js";
import { HttpError } from "./errors.js";

/** Per job type, the schema its payload must satisfy (deprecated: give the queue `jobs`). */
export type JobSchemas = Record<string, StandardSchema>;

const FIELDS = new Set([
  "type",
  "payload",
  "priority",
  "delayMs",
  "runAt",
  "maxAttempts",
  "idempotencyKey",
  "concurrencyKey",
  "backoff",
]);

const invalid = (message: string, field?: string) =>
  new HttpError(422, "VALIDATION", message, field ? { field } : undefined);

/**
 * Deepest nesting of a request body: a payload may nest {@link MAX_JSON_DEPTH} levels, and a
 * batch wraps it in two more (`{ jobs: [{ payload }] }`).
 */
const BODY_DEPTH = MAX_JSON_DEPTH + 2;

/**
 * The request's JSON body: 415 unless it is declared as JSON, 422 if it nests deeper than
 * {@link BODY_DEPTH}, 400 unless it parses.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpError(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
  }
  const text = await c.req.text();
  if (jsonDepth(text, BODY_DEPTH) > BODY_DEPTH) {
    throw invalid(`the body nests deeper than ${BODY_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "INVALID_JSON", "the body is not valid JSON");
  }
}

/** One enqueue request item; `where` prefixes error fields in a batch (e.g. `jobs.3.`). */
export function toEnqueueItem(body: unknown, where = ""): EnqueueItem {
  const item = where.slice(0, -1) || undefined; // `jobs.3` in a batch
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid("the body must be a JSON object", item);
  }
  const fields = body as Record<string, unknown>;
  // An unknown field's name is the caller's text: say where, never which.
  if (Object.keys(fields).some((key) => !FIELDS.has(key))) {
    throw invalid("the body has a field the API does not define", item);
  }
  if (typeof fields.type !== "string") throw invalid("type must be a string", `${where}type`);
  const { payload } = fields;
  const options: EnqueueOptions = {};
  for (const key of ["priority", "delayMs", "maxAttempts"] as const) {
    if (fields[key] !== undefined) options[key] = fields[key] as number;
  }
  if (fields.idempotencyKey !== undefined) options.idempotencyKey = fields.idempotencyKey as string;
  if (fields.concurrencyKey !== undefined) {
    options.concurrencyKey = fields.concurrencyKey as string | null;
  }
  if (fields.backoff !== undefined) options.backoff = fields.backoff as EnqueueOptions["backoff"];
  if (fields.runAt !== undefined) {
    const runAt = typeof fields.runAt === "string" ? Date.parse(fields.runAt) : fields.runAt;
    if (typeof runAt !== "number" || Number.isNaN(runAt)) {
      throw invalid("runAt must be epoch milliseconds or an ISO date", `${where}runAt`);
    }
    options.runAt = runAt;
  }
  return { type: fields.type, payload, options };
}
