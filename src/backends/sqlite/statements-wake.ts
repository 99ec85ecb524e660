/**
 * The wake step after each full claim: when a rate window opens for a held-back job
 * (`ClaimOutcome.wakeAt`). The first run of a claim stores it on the jobs it started
 * (`claim_wake`, 0: none), so a re-sent claim answers the first run's, not one recomputed
 * after the claims since; then the read, whose last one in a batch carries the batch's
 * closing reads as extra columns.
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
   * Stores the claim's wake-up time (see {@link WakeStatements.wakeAt}) on the jobs it holds
   * that have none yet: those its first run started (the claim clears it on each start).
   */
  store(input: ClaimInput): SqlStatement {
    const text = () => `UPDATE ${this.t.jobs} SET claim_wake = COALESCE(${this.#wake()}, 0)
      WHERE ${this.#sql.mine()} AND claim_wake IS NULL`;
    return this.#texts.statement("store", text, claimArgs(input));
  }

  /**
   * One row: `wake` (null: none), the one stored on the jobs the claim holds (so a re-send
   * answers as the first run did), or, when it holds none, the one computed now; and the
   * `columns`.
   */
  wakeAt(input: ClaimInput, columns: ClosingColumns = {}): SqlStatement {
    const shape = `wake:${Object.keys(columns).join()}`;
    const text = () => {
      const mine = `FROM ${this.t.jobs} WHERE ${this.#sql.mine()}`;
      return `SELECT CASE WHEN EXISTS (SELECT 1 ${mine})
          THEN (SELECT NULLIF(MAX(claim_wake), 0) ${mine}) ELSE ${this.#wake()} END AS wake
        ${closingColumns(columns)}`;
    };
    return this.#texts.statement(shape, text, claimArgs(input));
  }

  /**
   * After a claim, as the windows stand then: the earliest end of a rate window that holds
   * back a runnable job — a keyed lane with room but no starts left and a runnable job, or a
   * spent type with a job among the first `limit + TYPE_SKIP_DEPTH` runnable ones of the
   * unkeyed lane or of any open keyed lane. A scalar subquery (NULL: none).
   */
  #wake(): string {
    const q = this.#sql;
    const has = (lane: string, depth: string, where = "true") =>
      `EXISTS (SELECT 1 FROM (${q.runnable(lane, depth)}) WHERE ${where})`;
    const hasType = (lane: string) => has(lane, ":scan", "type = b.type");
    return (
      `(WITH ${q.typeCtes()},
` +
      // Lanes with a current window (index), no starts left, room and a runnable job.
      `        spent_lanes AS (SELECT l.win_end AS wake FROM ${this.t.lanes} l ${q.settings}
          WHERE l.queue = :queue AND l.win_end > :now AND l.head IS NOT NULL
            AND ${q.budget("l")} <= 0 AND ${q.room("l")} > 0
            AND ${has("concurrency_key = l.key", "1")}),
        spent_types AS (SELECT b.cur_end AS wake FROM budgets b WHERE b.budget <= 0 AND (
          ${hasType("concurrency_key IS NULL")}
          OR EXISTS (SELECT 1 FROM (${q.laneState(true)}) o
            WHERE ${hasType("concurrency_key = o.key")})))
       SELECT MIN(wake) FROM (SELECT wake FROM spent_lanes UNION ALL SELECT wake FROM spent_types))`
    );
  }
}
