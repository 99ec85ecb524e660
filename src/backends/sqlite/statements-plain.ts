/**
 * The plain claim: for a queue that has never used a concurrency key and stores no type
 * limits, its one lane in priority, run time and insertion order, with none of the ranking
 * machinery (whose text costs a server that prepares every statement of every request far
 * more than running it) and no turn recorded (rule 6: none until the queue has had a keyed
 * job). It claims nothing when the queue needs the full claim, and its closing read says so.
 * A whole claim group claims in one statement: per member, one would cost more than its
 * jobs' share of the SQL.
 */
import type { ClaimInput, QueueScope } from "../../backend.js";
import { ClaimSql } from "./claim-sql.js";
import type { SqlStatement } from "./client.js";
import { CLAIMED_COLUMNS } from "./rows.js";
import type { Tables } from "./schema.js";
import { jsonList, SqlTexts } from "./sql-text.js";
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
   * One statement for a whole claim group (`claims`: at least one, all of one queue at one
   * time): the first runnable jobs in lane order, the first `limit` of them to the first
   * member, the next to the second, and so on, each by its row-number range — unless the
   * queue needs the full claim. A member that already holds jobs (a re-sent claim: same token
   * and lease end) takes none and gets those back. Returns {@link CLAIMED_COLUMNS} of every
   * job the group holds; `token` tells whose. No window counts these starts (a type window an
   * earlier full claim named is cleared).
   */
  claimGroup(claims: readonly ClaimInput[]): SqlStatement {
    const text = () => {
      const mine = this.#sql.mine("j", "m.token", "m.lease_until");
      return `WITH members AS (SELECT key AS i, value ->> 'token' AS token,
            value ->> 'leaseUntil' AS lease_until, value ->> 'limit' AS lim
          FROM json_each(:members)),
        own AS MATERIALIZED (SELECT j.pos, m.token, m.lease_until
          FROM members m CROSS JOIN ${this.t.jobs} j WHERE ${mine}),
        needy AS (SELECT token, lease_until, lim, SUM(lim) OVER (ORDER BY i) AS upto
          FROM members WHERE token NOT IN (SELECT token FROM own)),
        fresh AS (SELECT pos, ROW_NUMBER() OVER (ORDER BY priority DESC, run_at, pos) AS r
          FROM (${this.#sql.runnable("concurrency_key IS NULL", ":total")})
          WHERE NOT ${this.#full()}),
        taken AS (SELECT f.pos, n.token, n.lease_until FROM fresh f, needy n
            WHERE f.r > n.upto - n.lim AND f.r <= n.upto
          UNION ALL SELECT pos, token, lease_until FROM own)
      UPDATE ${this.t.jobs} SET state = 'active', token = taken.token,
          lease_until = taken.lease_until, attempts = attempts + (state = 'queued'),
          updated_at = :now, seq = seq + (state = 'queued'), event = 'active',
          type_window_end = NULL
        FROM taken WHERE ${this.t.jobs}.pos = taken.pos
        RETURNING ${CLAIMED_COLUMNS}`;
    };
    const first = claims[0] as ClaimInput;
    const members = jsonList(
      claims.map(({ token, leaseUntil, limit }) => ({ token, leaseUntil, limit })),
    );
    const total = claims.reduce((sum, claim) => sum + claim.limit, 0);
    const args = { members, queue: first.queue, now: first.now, total };
    return this.#texts.statement("claim", text, args);
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
