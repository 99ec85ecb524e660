/**
 * The plain claim: for a queue that has never used a concurrency key and stores no type
 * limits, its one lane in priority, run time and insertion order, with none of the ranking
 * machinery (whose text costs a server that prepares every statement of every request far
 * more than running it) and no turn recorded (rule 6: none until the queue has had a keyed
 * job). It claims nothing when the queue needs the full claim, and its closing read says so.
 */
import type { ClaimInput, QueueScope } from "../../backend.js";
import { ClaimSql } from "./claim-sql.js";
import type { SqlStatement } from "./client.js";
import type { Tables } from "./schema.js";
import { SqlTexts } from "./sql-text.js";
import { type ClosingColumns, closingColumns } from "./statements-wake.js";

/** The plain claim and its closing read, for one set of tables. */
export class PlainStatements {
  readonly #texts = new SqlTexts();
  readonly #sql: ClaimSql;

  constructor(private readonly t: Tables) {
    this.#sql = new ClaimSql(t);
  }

  /** Whether the queue needs the full claim: it has lanes, or stores type limits. */
  #full(): string {
    return `(EXISTS (SELECT 1 FROM ${this.t.lanes} WHERE queue = :queue)
      OR EXISTS (SELECT 1 FROM ${this.t.settings} WHERE queue = :queue AND type_limits <> '[]'))`;
  }

  /**
   * Claims the first `limit` runnable jobs, unless the queue needs the full claim. A re-sent
   * claim finds its own jobs (same token and lease end) and returns those. No window counts
   * these starts (a type window an earlier full claim named is cleared).
   */
  claim(input: ClaimInput): SqlStatement {
    const text = () => {
      const mine = `SELECT pos FROM ${this.t.jobs} WHERE ${this.#sql.mine()}`;
      return `UPDATE ${this.t.jobs} SET state = 'active', token = :token,
          lease_until = :leaseUntil, attempts = attempts + (state = 'queued'), updated_at = :now,
          seq = seq + (state = 'queued'), event = 'active', type_window_end = NULL
        WHERE pos IN (SELECT pos FROM (${this.#sql.runnable("concurrency_key IS NULL", ":limit")})
            WHERE NOT EXISTS (${mine}) AND NOT ${this.#full()})
          OR pos IN (${mine})
        RETURNING *`;
    };
    const { queue, now, limit, token, leaseUntil } = input;
    return this.#texts.statement("claim", text, { queue, now, limit, token, leaseUntil });
  }

  /**
   * The closing read: no rate window can hold anything back, so `wake` is null; `full` tells
   * whether the queue needs the full claim (then the plain claim took nothing).
   */
  closing({ queue, now }: QueueScope, columns: ClosingColumns = {}): SqlStatement {
    const text = () => `SELECT NULL AS wake, ${this.#full()} AS full ${closingColumns(columns)}`;
    const shape = `closing:${Object.keys(columns).join()}`;
    return this.#texts.statement(shape, text, { queue, now });
  }
}
