/**
 * Classifies errors of the Cloudflare SQLite hosts (D1 and Durable Object SQL). Neither sets a
 * `code`: the SQLite result code ends the message (`D1_ERROR: no such table: x: SQLITE_ERROR`,
 * `string or blob too big: SQLITE_TOOBIG`; D1 follows a constraint's code with its extended
 * one). An error with no such code never reached SQLite (the binding's transport failed, the
 * object was reset): retryable.
 */
import { briefly, describe } from "../../internal/store-errors.js";
import type { ClassifiedError } from "./client.js";

/** A missing table or column (SQLite words it only in the text). */
const MISSING_SCHEMA = /no such (table|column)|has no column named/i;
/**
 * The result code at the end of the message; D1 may follow it with the extended code
 * (`UNIQUE constraint failed: t.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)`).
 */
const SQLITE_CODE = /\b(SQLITE_[A-Z_]+)(?:\s*\(extended: SQLITE_[A-Z_]+\))?\s*$/;
/** Codes that mean busy or gone for now, not a refused statement. */
const UNAVAILABLE = new Set(["SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR"]);

/** The `SQLITE_<CODE>` a D1 or Durable Object SQL error ends with, if any. */
export function sqliteCodeOf(error: unknown): string | null {
  const line = String((error as { message?: unknown })?.message ?? error).split("\n")[0] ?? "";
  return SQLITE_CODE.exec(line)?.[1] ?? null;
}

/**
 * A {@link ClassifiedError} for a D1 error (see the module comment): one without a SQLite code
 * never reached the database, so it is worth retrying.
 */
export function classifySqliteCodeError(error: unknown): ClassifiedError {
  return classify(error, "unavailable");
}

/**
 * A {@link ClassifiedError} for an error inside a Durable Object, where SQL runs in-process:
 * there is no transport to fail, so an error without a SQLite code (a bad argument, a bug) is
 * refused, not retryable.
 */
export function classifyInProcessSqlError(error: unknown): ClassifiedError {
  return classify(error, "refused");
}

function classify(error: unknown, noCode: ClassifiedError["kind"]): ClassifiedError {
  const code = sqliteCodeOf(error);
  const text = briefly(error).replace(/^D1_ERROR:\s*/, "");
  if (MISSING_SCHEMA.test(text)) return { kind: "missing-schema", detail: text };
  if (code === null) return { kind: noCode, detail: describe(error) };
  if (UNAVAILABLE.has(code)) return { kind: "unavailable", detail: describe(error) };
  return { kind: "refused", detail: text };
}
