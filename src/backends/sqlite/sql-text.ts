/**
 * Statement texts: written with named placeholders (`:queue`) so each reads on its own, sent
 * with numbered positional parameters (`?1`, `?2` …: what D1 and Durable Objects bind; checked
 * in miniflare), one per distinct name, so a value used ten times is bound once. Each text is
 * compiled once per shape, without comments and runs of white space: the claim's few
 * kilobytes of SQL are not rebuilt per call, travel smaller over HTTP, and hit a client's
 * prepared-statement cache by a shorter key.
 */
import { MAX_PARAMETERS, type SqlStatement, type SqlValue } from "./client.js";

/** A compiled text: `?N` in place of each placeholder, and the names in the order of `N`. */
export interface SqlTemplate {
  readonly sql: string;
  readonly names: readonly string[];
}

/** String literals are kept as they are; a `:name` outside them becomes `?N`. */
const TOKENS = /'(?:[^']|'')*'|:([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Compiles a text with named placeholders. Throws when it would bind more than
 * {@link MAX_PARAMETERS} values: a statement's parameter count never depends on its input.
 */
export function compile(text: string): SqlTemplate {
  const names: string[] = [];
  const sql = text
    .replace(/--[^\n]*/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(TOKENS, (token, name: string | undefined) => {
      if (name === undefined) return token;
      let i = names.indexOf(name);
      if (i < 0) i = names.push(name) - 1;
      return `?${i + 1}`;
    });
  if (names.length > MAX_PARAMETERS) {
    throw new Error(`a statement binds ${names.length} parameters (at most ${MAX_PARAMETERS})`);
  }
  return { sql, names };
}

/** The statement for `template` with `args` (every placeholder needs one; `null` is a value). */
export function bind(
  template: SqlTemplate,
  args: Readonly<Record<string, SqlValue>>,
): SqlStatement {
  return {
    sql: template.sql,
    args: template.names.map((name) => {
      const value = args[name];
      if (value === undefined) throw new Error(`no argument for :${name}`);
      return value;
    }),
  };
}

/** Compiled texts by shape, for one set of tables. */
export class SqlTexts {
  readonly #templates = new Map<string, SqlTemplate>();

  /** The compiled text for `shape`, built by `build` the first time. */
  get(shape: string, build: () => string): SqlTemplate {
    let template = this.#templates.get(shape);
    if (template === undefined) {
      template = compile(build());
      this.#templates.set(shape, template);
    }
    return template;
  }

  /** The statement for `shape` (built by `build` the first time) bound to `args`. */
  statement(
    shape: string,
    build: () => string,
    args: Readonly<Record<string, SqlValue>>,
  ): SqlStatement {
    return bind(this.get(shape, build), args);
  }
}

/** A JSON array of `values`, bound as one parameter and read with `json_each`. */
export const jsonList = (values: readonly unknown[]): string => JSON.stringify(values);
