/**
 * The read after each full claim: when a rate window opens for a held-back job
 * (`ClaimOutcome.wakeAt`); the last one of a batch carries its closing reads as extra columns.
 */
import type { ClaimInput } from "../../backend.js";
import { ClaimSql } from "./claim-sql.js";
import type { SqlStatement } from "./client.js";
import type { Tables } from "./schema.js";
import { SqlTexts } from "./sql-text.js";
import { claimArgs } from "./statements-claim.js";

/** Extra closing columns: name → SQL expression (the same expression for a name every time). */
export type ClosingColumns = Readonly<Record<string, string>>;

/** `, expression AS name` for each extra column. */
export const closingColumns = (columns: ClosingColumns): string =>
  Object.entries(columns)
    .map(([name, expression]) => `, ${expression} AS ${name}`)
    .join("");

/** The wake-up read after a full claim, for one set of tables. */
export class WakeStatements {
  readonly #texts = new SqlTexts();
  readonly #sql: ClaimSql;

  constructor(private readonly t: Tables) {
    this.#sql = new ClaimSql(t);
  }

  /**
   * After a claim, as the windows stand then: the earliest end of a rate window that holds
   * back a runnable job — a keyed lane with room but no starts left and a runnable job, or a
   * spent type with a job among the first `limit + TYPE_SKIP_DEPTH` runnable ones of the
   * unkeyed lane or of any open keyed lane. One row: `wake` (null: none) and the `columns`.
   */
  wakeAt(input: ClaimInput, columns: ClosingColumns = {}): SqlStatement {
    const shape = `wake:${Object.keys(columns).join()}`;
    return this.#texts.statement(shape, () => this.#wakeText(columns), claimArgs(input));
  }

  #wakeText(columns: ClosingColumns): string {
    const q = this.#sql;
    const has = (lane: string, depth: string, where = "true") =>
      `EXISTS (SELECT 1 FROM (${q.runnable(lane, depth)}) WHERE ${where})`;
    const hasType = (lane: string) => has(lane, ":scan", "type = b.type");
    return `WITH ${q.typeCtes()},
        -- Lanes with a current window (index), no starts left, room and a runnable job.
        spent_lanes AS (SELECT l.win_end AS wake FROM ${this.t.lanes} l ${q.settings}
          WHERE l.queue = :queue AND l.win_end > :now AND l.head IS NOT NULL
            AND ${q.budget("l")} <= 0 AND ${q.room("l")} > 0
            AND ${has("concurrency_key = l.key", "1")}),
        spent_types AS (SELECT b.cur_end AS wake FROM budgets b WHERE b.budget <= 0 AND (
          ${hasType("concurrency_key IS NULL")}
          OR EXISTS (SELECT 1 FROM (${q.laneState(true)}) o
            WHERE ${hasType("concurrency_key = o.key")})))
       SELECT (SELECT MIN(wake) FROM (SELECT wake FROM spent_lanes
           UNION ALL SELECT wake FROM spent_types)) AS wake
         ${closingColumns(columns)}`;
  }
}
