/**
 * The full claim: lanes, fair turns, per-key concurrency and rate limits, per-type rate
 * limits — set-based statements that run in the claim's one write batch, under the queue's
 * stored settings (read in the same statements). The rules are on `ClaimInput` in backend.ts.
 *
 * ## The formulation
 *
 * A lane is a concurrency key; unkeyed jobs are one more lane. `lanes` keeps per key the
 * highest queued priority (`head`, by trigger: lanes with none are skipped through an index),
 * `turn` (the claim order of the lane's latest start; NULL: never served), the key's
 * overrides and its rate window; row `''` holds the unkeyed lane's turn. The claim statement:
 *
 * 1. finds the open keyed lanes (room under the key's concurrency limit, counted in the
 *    active-jobs index, and starts left in its window) and each one's first eligible job;
 * 2. keeps the first `limit` lanes by that job (claim-lanes.ts: no other lane can matter,
 *    and usually a short walk of the rotation index shows which those are);
 * 3. takes each kept lane's first `min(cap, limit)` eligible jobs (rules 2-3), ranks them by
 *    `priority desc, i, turn, head` (`i`: the round, the place among the lane's candidates of
 *    the same priority; `head`: the run time and insertion of the lane's first candidate) and
 *    keeps the first `limit` (rules 4-5);
 * 4. drops each whose type has no starts left once the kept ones before it are counted.
 *
 * The wake-up time of each claim is stored on its jobs and read right after it
 * (statements-wake.ts); a fresh start clears the one an earlier claim of the job stored.
 *
 * Each claimed job stores `claim_order` = the claim's base (above every lane's turn so far) +
 * its place, and the ends of the key and type windows it counts in (when its key or type has
 * a rate limit). The reply is sorted by `claim_order`. A trigger on the job's change from
 * `queued` to `active` moves its lane's turn (the unkeyed lane's only once row `''` exists,
 * i.e. once the queue has had a keyed job) and counts the start in those windows, so a
 * re-sent claim (which claims nothing new and returns its own jobs) counts nothing twice and
 * moves no turn.
 */
import type { ClaimInput } from "../../backend.js";
import { chosenLanes, walkDepth } from "./claim-lanes.js";
import { ClaimSql, scanDepth } from "./claim-sql.js";
import type { SqlStatement } from "./client.js";
import type { Tables } from "./schema.js";
import { SqlTexts } from "./sql-text.js";

/** The rank of a candidate (rule 4); NULL turns (never served) sort first. */
const CLAIM_ORDER = "priority DESC, i, turn, head_run_at, head_pos";

/** The arguments of the full claim's statements. */
export function claimArgs(input: ClaimInput) {
  const { queue, now, limit, token, leaseUntil } = input;
  return { queue, now, limit, token, leaseUntil, scan: scanDepth(limit), walk: walkDepth(limit) };
}

/** The full claim statement for one set of tables. */
export class ClaimStatements {
  readonly #texts = new SqlTexts();
  readonly #sql: ClaimSql;

  constructor(private readonly t: Tables) {
    this.#sql = new ClaimSql(t);
  }

  /**
   * Claims per the rules (see the module comment) and returns the claimed rows, each with
   * its `claim_order`. A re-sent claim finds its own jobs (same token and lease end),
   * claims nothing new, and returns those.
   */
  claim(input: ClaimInput): SqlStatement {
    return this.#texts.statement("claim", () => this.#claimText(), claimArgs(input));
  }

  #claimText(): string {
    const { jobs, lanes } = this.t;
    const q = this.#sql;
    const keyed = "concurrency_key = c.key";
    const unkeyed = "concurrency_key IS NULL";
    const jobsOf = (lane: string) => `(SELECT pos FROM (${q.eligible(lane, ":limit")}))`;
    const candidate = `j.pos, j.priority, j.run_at, j.type, c.key, c.win, c.cap, c.turn,
      c.run_at AS head_run_at, c.pos AS head_pos`;
    return (
      `WITH ${q.typeCtes()},
        mine AS (SELECT pos FROM ${jobs} WHERE ${q.mine()}),
` +
      // Above every turn so far, so this claim's orders are the newest.
      `        base AS (SELECT COALESCE(MAX(turn), 0) AS turn FROM ${lanes}
          WHERE queue = :queue AND turn IS NOT NULL),
        ${chosenLanes(this.t)},
        cand AS (
          SELECT ${candidate} FROM chosen c JOIN ${jobs} j ON j.pos IN ${jobsOf(keyed)}
          WHERE c.key IS NOT NULL
          UNION ALL
          SELECT ${candidate} FROM chosen c JOIN ${jobs} j ON j.pos IN ${jobsOf(unkeyed)}
          WHERE c.key IS NULL),
        ranked AS (SELECT *,
          ROW_NUMBER() OVER (PARTITION BY key ORDER BY priority DESC, run_at, pos) AS r,
          ROW_NUMBER() OVER (PARTITION BY key, priority ORDER BY run_at, pos) AS i
          FROM cand),
        taken AS (SELECT *, ROW_NUMBER() OVER (ORDER BY ${CLAIM_ORDER}) AS n FROM ranked
          WHERE r <= cap AND NOT EXISTS (SELECT 1 FROM mine) ORDER BY n LIMIT :limit),
` +
      // Rule 5: a type's candidates past its starts left are dropped.
      `        typed AS (SELECT t.pos, t.n, t.win, b.budget, b.cur_end AS tw,
            ROW_NUMBER() OVER (PARTITION BY t.type ORDER BY t.n) AS k
          FROM taken t LEFT JOIN budgets b ON b.type = t.type),
        p AS (SELECT pos, n, win, tw FROM typed WHERE budget IS NULL OR k <= budget
          UNION ALL SELECT pos, NULL, NULL, NULL FROM mine)
` +
      // Joined once (a text that names p in each SET subquery costs every request that
      // prepares it about three times as much); +p.pos keeps p the outer loop, so each
      // picked row is found by its primary key, never by a scan of the jobs.
      `      UPDATE ${jobs} SET state = 'active', token = :token, lease_until = :leaseUntil,
        attempts = attempts + (state = 'queued'),
        claim_order = IIF(state = 'queued', (SELECT turn FROM base) + p.n, claim_order),
        key_window_end = IIF(state = 'queued', p.win, key_window_end),
        type_window_end = IIF(state = 'queued', p.tw, type_window_end),
        claim_wake = IIF(state = 'queued', NULL, claim_wake),
        updated_at = :now, seq = seq + (state = 'queued'), event = 'active'
      FROM p WHERE ${jobs}.pos = +p.pos
      RETURNING *`
    );
  }
}
