/**
 * A bound on how deeply a request body nests. `JSON.parse` copes with deep input, but a value
 * nested a few thousand levels deep makes `JSON.stringify` (and any recursive walk) throw
 * `RangeError`, so such a body is refused before it is parsed.
 */

/** Deepest nesting of objects and arrays a request body may have (the body itself is level 1). */
export const MAX_JSON_DEPTH = 64;

const OPEN = new Set(["{", "["]);
const CLOSE = new Set(["}", "]"]);

/** Whether JSON `text` nests objects/arrays deeper than `limit`, skipping string contents. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  // Nesting deeper than `limit` takes more than `limit` openers and as many closers.
  if (text.length < 2 * limit) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (inString) {
      if (ch === "\\")
        i++; // the escaped character cannot end the string
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (OPEN.has(ch)) {
      if (++depth > limit) return true;
    } else if (CLOSE.has(ch)) {
      depth--;
    }
  }
  return false;
}
