/**
 * The table name prefix every SQLite-speaking entry takes: checked once here, so each entry
 * refuses the same names with the same error.
 */
import { ValidationError } from "../../errors.js";

/** The prefix when the caller gives none. */
const DEFAULT_PREFIX = "jdobb_";

/** A SQL identifier short enough that every table and index name built from it stays valid. */
const PREFIX = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

/**
 * The prefix to use: `prefix`, or {@link DEFAULT_PREFIX} when it is undefined. Throws a
 * {@link ValidationError} (field `prefix`) for anything that is not a SQL identifier of at
 * most 41 characters: it is written into the statements' text, never bound.
 */
export function tablePrefix(prefix: string | undefined): string {
  const chosen = prefix ?? DEFAULT_PREFIX;
  if (typeof chosen !== "string" || !PREFIX.test(chosen)) {
    throw new ValidationError("prefix must be a SQL identifier of at most 41 characters", "prefix");
  }
  return chosen;
}
