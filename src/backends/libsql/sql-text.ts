/** Helpers for statement texts. */
import type { SqlValue, Statement } from "./client.js";

/** A statement with named arguments. */
export const sql = (text: string, args: Record<string, SqlValue>): Statement => ({
  sql: text,
  args,
});

/**
 * Statement texts built once per shape, without comments and runs of white space: the claim's
 * few kilobytes of SQL are not rebuilt per call, travel smaller over HTTP, and hit the
 * embedded client's prepared-statement cache by a shorter key.
 */
export class SqlTexts {
  readonly #texts = new Map<string, string>();

  /** The text for `shape`, built by `build` the first time. */
  get(shape: string, build: () => string): string {
    let text = this.#texts.get(shape);
    if (text === undefined) {
      text = build()
        .replace(/--[^\n]*/g, "")
        .replace(/\s+/g, " ")
        .trim();
      this.#texts.set(shape, text);
    }
    return text;
  }
}
