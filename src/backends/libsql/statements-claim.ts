/**
 * The claim: lanes, fairness, per-key concurrency and rate limits, per-type rate limits — as
 * a few set-based statements that run in the claim's one write batch.
 *
 * ## The formulation (the rules are on `ClaimInput` in backend.ts)
 *
 * A lane is a concurrency key; unkeyed jobs are one more lane. `lanes` keeps per key the
 * highest queued priority (`head`, by trigger) and `turn`, the claim order of the lane's
 * latest start. The claim statement:
 *
 * 1. walks keyed lanes in rotation order — `head` desc, `turn` asc (never served first), then
 *    the older lane — through an index, keeping those that are *open* (room under the key's
 *    concurrency limit, counted in the active-jobs index; starts left in its rate window;
 *    a runnable job), and stops after `limit + 4` of them;
 * 2. takes the first `limit` runnable jobs of each of those lanes and of the unkeyed lane
 *    (bounded correlated subqueries on the per-lane ready index: never a scan of a backlog);
 * 3. ranks them per lane: `r` (place in the lane) and `i` (place among the lane's jobs of
 *    the same priority), keeps `r <= min(room, rate budget)`, then per type keeps as many as
 *    the type's window allows;
 * 4. orders what is left by `priority desc, i, r - i, turn, head` (`head`: the run time and
 *    insertion of the lane's first job) and takes `limit`.
 *
 * Step 4 is the rules' "repeatedly take the first job of the best open lane": priority
 * first; at one priority the lanes take turns (`i` is the round); within a round, lanes not
 * yet served by this claim (`r - i = 0`) go first in turn order (then by their first job),
 * then lanes this claim served at a higher priority, fewest first. That is exact with up to
 * two priority levels among the candidates (checked against a direct simulation of the
 * rules, with and without key concurrency limits); with three or more, a lane served at
 * several higher levels may come at another place within a round.
 * Jobs skipped because their type ran out of starts *during* the claim still count in `r`,
 * so such a claim may take fewer jobs than the rules allow (never more): the next claim
 * takes them. With type limits, jobs of types already out of starts are skipped while
 * walking a lane, at most 100 past its first `limit`.
 *
 * Each claimed job stores `claim_order` = the claim's base turn (above every lane's and
 * window's turn so far) + its place, and, when its key has a rate limit, the end of the
 * window it counts in. The reply is sorted by `claim_order`. A trigger on the job's change
 * from `queued` to `active` moves its lane's turn and counts the start in the key's window,
 * so a re-sent claim (which claims nothing new and returns its own jobs) counts nothing
 * twice and moves no turn; type windows count a claim only while their turn is below its
 * orders, for the same reason.
 */
import type { ClaimInput } from "../../backend.js";
import type { SqlValue, Statement } from "./client.js";
import type { Tables } from "./schema.js";
import { SqlTexts, sql } from "./sql-text.js";

/** Jobs a lane may be walked past, looking for a type that has starts left. */
export const TYPE_SKIP_DEPTH = 100;
/**
 * Lanes a claim takes candidates from: `limit` of them (enough for a first round of `limit`
 * jobs, so a claim is never short while open lanes have jobs), plus this slack.
 */
const LANE_SLACK = 4;

/** `:now` as an integer (HTTP clients send numbers as floats), for window arithmetic. */
const NOW = "CAST(:now AS INTEGER)";
/** The end of the fixed window of `ms` milliseconds that holds now. */
const windowEnd = (ms: string) => `((${NOW} / (${ms})) + 1) * (${ms})`;
/** The order of a claim (see the module comment). */
const CLAIM_ORDER = "priority DESC, i, r - i, turn, head_run_at, head_pos";

/** The arguments every claim statement binds. */
function claimArgs(input: ClaimInput): Record<string, SqlValue> {
  const { limits } = input;
  return {
    queue: input.queue,
    now: input.now,
    limit: input.limit,
    token: input.token,
    leaseUntil: input.leaseUntil,
    keyConcurrency: limits.keyConcurrency,
    keyRate: limits.keyRateLimit?.limit ?? null,
    keyRateMs: limits.keyRateLimit?.windowMs ?? null,
  };
}

export class ClaimStatements {
  readonly #texts = new SqlTexts();

  constructor(private readonly t: Tables) {}

  /** Whether this claim applies type rate limits (the statements differ). */
  #typed(input: ClaimInput): boolean {
    return input.limits.typeRateLimits.length > 0;
  }

  /** Type limits as JSON rows for `json_each`: `[type, limit, windowMs]`. */
  #typeArgs(input: ClaimInput): Record<string, SqlValue> {
    if (!this.#typed(input)) return {};
    const rows = input.limits.typeRateLimits.map((l) => [l.type, l.limit, l.windowMs]);
    return { types: JSON.stringify(rows), scan: input.limit + TYPE_SKIP_DEPTH };
  }

  /** The jobs this claim holds (its token and lease end), through the lease index. */
  #mine(alias = ""): string {
    const a = alias ? `${alias}.` : "";
    return `${a}queue = :queue AND ${a}state = 'active' AND ${a}lease_until = :leaseUntil
      AND ${a}token = :token`;
  }

  /** The window size that applies to lane row `l`: its override's, else the claim's default. */
  #laneMs(l: string): string {
    return `IIF(${l}.rate_limit IS NULL, CAST(:keyRateMs AS INTEGER), ${l}.rate_window_ms)`;
  }

  /**
   * Per-type limits with their window's end and the starts left in it (`budgets`), and the
   * types with none left (`spent`).
   */
  #typeCtes(): string {
    return `types AS (SELECT value ->> 0 AS type, value ->> 1 AS lim,
          ${windowEnd("CAST(value ->> 2 AS INTEGER)")} AS cur_end FROM json_each(:types)),
        budgets AS (SELECT t.type, t.cur_end,
          t.lim - IIF(w.win_end = t.cur_end, w.count, 0) AS budget
          FROM types t LEFT JOIN ${this.t.windows} w ON w.queue = :queue AND w.type = t.type),
        spent AS (SELECT type FROM budgets WHERE budget <= 0)`;
  }

  /**
   * A lane's first runnable jobs in claim order (priority desc, run time, insertion), from the
   * per-lane ready index. With type limits, jobs of spent types are skipped, looking at most
   * `TYPE_SKIP_DEPTH` jobs further.
   */
  #runnable(lane: string, typed: boolean, depth: string): string {
    const first = (n: string) => `SELECT pos, priority, run_at, type FROM ${this.t.jobs}
      WHERE queue = :queue AND ${lane} AND state = 'queued' AND run_at <= :now
      ORDER BY priority DESC, run_at, pos LIMIT ${n}`;
    if (!typed) return first(depth);
    return `SELECT * FROM (${first(":scan")}) WHERE type NOT IN (SELECT type FROM spent)
      LIMIT ${depth}`;
  }

  /** Room left under lane row `l`'s concurrency limit (`:limit`: no limit). */
  #room(l: string): string {
    const limit = `COALESCE(${l}.concurrency, :keyConcurrency)`;
    return `IIF(${limit} IS NULL, :limit, ${limit} - (SELECT COUNT(*) FROM ${this.t.jobs} a
      WHERE a.queue = :queue AND a.concurrency_key = ${l}.key AND a.state = 'active'))`;
  }

  /** Starts left in lane row `l`'s current rate window (`:limit`: no limit). */
  #budget(l: string): string {
    const limit = `COALESCE(${l}.rate_limit, :keyRate)`;
    const current = `${l}.win_end = ${windowEnd(this.#laneMs(l))}`;
    return `IIF(${limit} IS NULL, :limit, ${limit} - IIF(${current}, ${l}.win_count, 0))`;
  }

  /** Keyed lanes in rotation order, with their room and rate budget (and that window's end). */
  #laneState(): string {
    const win = `IIF(COALESCE(l.rate_limit, :keyRate) IS NULL, NULL, ${windowEnd(this.#laneMs("l"))})`;
    return `SELECT l.key, l.turn, ${this.#room("l")} AS room, ${this.#budget("l")} AS budget,
        ${win} AS win
      FROM ${this.t.lanes} l WHERE l.queue = :queue AND l.head IS NOT NULL
      ORDER BY l.head DESC, l.turn, l.rowid`;
  }

  /**
   * Claims per the rules (see the module comment) and returns the claimed rows, each with
   * its `claim_order`. A re-sent claim finds its own jobs (same token and lease end),
   * claims nothing new, and returns those.
   */
  claim(input: ClaimInput): Statement {
    const typed = this.#typed(input);
    const lanesWalked = input.limit + LANE_SLACK;
    return sql(
      this.#texts.get(`claim:${typed}:${lanesWalked}`, () => this.#claimText(typed, lanesWalked)),
      { ...claimArgs(input), ...this.#typeArgs(input) },
    );
  }

  /**
   * The claim of a queue that has never used a key and has no type limits: its one lane in
   * priority, run time and insertion order, with none of the ranking machinery (whose text
   * costs a server that prepares per request far more than running it). It claims nothing
   * once the queue has a lane row: the closing read ({@link ClaimStatements.plainClosing})
   * says so, and the caller claims again with {@link ClaimStatements.claim}.
   */
  plainClaim(input: ClaimInput): Statement {
    const text = () => {
      const { jobs, lanes } = this.t;
      const mine = `SELECT pos FROM ${jobs} WHERE ${this.#mine()}`;
      return `UPDATE ${jobs} SET state = 'active', token = :token, lease_until = :leaseUntil,
          attempts = attempts + (state = 'queued'), updated_at = :now,
          seq = seq + (state = 'queued'), event = 'active'
        WHERE pos IN (SELECT pos FROM (${this.#runnable("concurrency_key IS NULL", false, ":limit")})
            WHERE NOT EXISTS (${mine})
              AND NOT EXISTS (SELECT 1 FROM ${lanes} WHERE queue = :queue))
          OR pos IN (${mine})
        RETURNING *`;
    };
    const { queue, now, limit, token, leaseUntil } = input;
    return sql(this.#texts.get("plain", text), { queue, now, limit, token, leaseUntil });
  }

  /**
   * The closing read of a plain batch: no rate window can hold anything back, so `wake` is
   * null; `keyed` tells whether the queue has lanes (then the plain claim took nothing).
   */
  plainClosing(input: ClaimInput, columns: Record<string, string> = {}): Statement {
    const text = () => `SELECT NULL AS wake,
        EXISTS (SELECT 1 FROM ${this.t.lanes} WHERE queue = :queue) AS keyed
        ${Object.entries(columns)
          .map(([name, expression]) => `, ${expression} AS ${name}`)
          .join("")}`;
    const shape = `plain-closing:${Object.keys(columns).join()}`;
    return sql(this.#texts.get(shape, text), { queue: input.queue, now: input.now });
  }

  #claimText(typed: boolean, lanesWalked: number): string {
    const { jobs, lanes, windows } = this.t;
    const keyed = this.#runnable("concurrency_key = o.key", typed, ":limit");
    const allowed = typed
      ? `typed AS (SELECT c.*, b.budget,
            ROW_NUMBER() OVER (PARTITION BY c.type ORDER BY ${CLAIM_ORDER}) AS t
            FROM capped c LEFT JOIN budgets b ON b.type = c.type),
          allowed AS (SELECT * FROM typed WHERE budget IS NULL OR t <= budget)`
      : "allowed AS (SELECT * FROM capped)";
    const fresh = "NOT EXISTS (SELECT 1 FROM mine)";
    const keysUsed = `EXISTS (SELECT 1 FROM ${lanes} WHERE queue = :queue)`;
    const full = `SELECT pos, win, ROW_NUMBER() OVER (ORDER BY ${CLAIM_ORDER}) AS n FROM allowed
      WHERE ${fresh} ORDER BY ${CLAIM_ORDER} LIMIT :limit`;
    // A queue that never used a key (no lane rows) and has no type limits: its one lane,
    // without the ranking machinery. No claim order (no lane keeps turns): the reply is
    // sorted by the lane's own order (rows.ts).
    const plain = `SELECT pos, NULL AS win, NULL AS n
      FROM (${this.#runnable("concurrency_key IS NULL", false, ":limit")})
      WHERE ${fresh} AND NOT ${keysUsed}`;
    const pick = typed ? full : `SELECT * FROM (${full}) UNION ALL ${plain}`;
    return `WITH ${typed ? `${this.#typeCtes()},` : ""}
        mine AS (SELECT pos FROM ${jobs} WHERE ${this.#mine()}),
        -- Above every turn so far, so this claim's orders are the newest.
        base AS (SELECT MAX(
          COALESCE((SELECT MAX(turn) FROM ${lanes} WHERE queue = :queue AND turn IS NOT NULL), 0),
          COALESCE((SELECT MAX(turn) FROM ${windows} WHERE queue = :queue), 0)) AS turn),
        -- The first open keyed lanes in rotation order, and how many jobs each may start.
        open AS (SELECT key, turn, win, MIN(room, budget) AS cap FROM (${this.#laneState()}) o
          WHERE room > 0 AND budget > 0 AND EXISTS (${keyed}) LIMIT ${lanesWalked}),
        cand AS (
          SELECT pos, priority, run_at, type, NULL AS key, NULL AS win, :limit AS cap,
            (SELECT turn FROM ${lanes} WHERE queue = :queue AND key = '') AS turn
          FROM (${this.#runnable("concurrency_key IS NULL", typed, ":limit")})
          ${typed ? "" : `WHERE ${keysUsed}`}
          UNION ALL
          SELECT j.pos, j.priority, j.run_at, j.type, o.key, o.win, o.cap, o.turn
          FROM open o JOIN ${jobs} j ON j.pos IN (SELECT pos FROM (${keyed}))),
        ranked AS (SELECT *, ROW_NUMBER() OVER lane AS r,
          ROW_NUMBER() OVER (PARTITION BY key, priority ORDER BY run_at, pos) AS i,
          FIRST_VALUE(run_at) OVER lane AS head_run_at, FIRST_VALUE(pos) OVER lane AS head_pos
          FROM cand WINDOW lane AS (PARTITION BY key ORDER BY priority DESC, run_at, pos)),
        capped AS (SELECT * FROM ranked WHERE r <= cap),
        ${allowed},
        pick AS (${pick})
      UPDATE ${jobs} SET state = 'active', token = :token, lease_until = :leaseUntil,
        attempts = attempts + (state = 'queued'),
        claim_order = IIF(state = 'queued', IIF(p.n IS NULL, NULL, (SELECT turn FROM base) + p.n),
          claim_order),
        key_window_end = IIF(state = 'queued', p.win, key_window_end),
        updated_at = :now, seq = seq + (state = 'queued'), event = 'active'
      FROM (SELECT pos, n, win FROM pick UNION ALL SELECT pos, NULL, NULL FROM mine) AS p
      WHERE ${jobs}.pos = p.pos
      RETURNING *`;
  }

  /**
   * After the claim, with type limits: counts its starts per type — only while the type's
   * window has not counted this claim yet (its turn is below the claim's orders), so a
   * re-sent claim counts nothing twice.
   */
  typeBookkeeping(input: ClaimInput): Statement {
    const { jobs, windows } = this.t;
    const text = () => `WITH ${this.#typeCtes()}
       INSERT INTO ${windows} (queue, type, win_end, count, turn)
       SELECT :queue, j.type, t.cur_end, COUNT(*), MAX(j.claim_order)
       FROM ${jobs} j JOIN types t ON t.type = j.type
       WHERE ${this.#mine("j")} GROUP BY j.type
       ON CONFLICT (queue, type) DO UPDATE SET
         count = CASE WHEN win_end = excluded.win_end THEN count + excluded.count
           WHEN win_end < excluded.win_end THEN excluded.count ELSE count END,
         win_end = MAX(win_end, excluded.win_end), turn = excluded.turn
       WHERE turn < excluded.turn`;
    return sql(this.#texts.get("types", text), { ...claimArgs(input), ...this.#typeArgs(input) });
  }

  /**
   * After the claim: the earliest end of a rate window that holds back a runnable job — a
   * keyed lane with room but no starts left, or (with type limits) a spent type with a job
   * among the first `limit` + 100 runnable ones of the unkeyed lane or of an open keyed lane.
   * One row: `wake` (null: none), and the extra `columns` (name → SQL expression, the same
   * expression for a name on every call), so the batch's other closing reads cost no
   * statement of their own.
   */
  wakeAt(input: ClaimInput, columns: Record<string, string> = {}): Statement {
    const typed = this.#typed(input);
    const lanesWalked = input.limit + LANE_SLACK;
    const shape = `wake:${typed}:${lanesWalked}:${Object.keys(columns).join()}`;
    return sql(
      this.#texts.get(shape, () => this.#wakeText(typed, lanesWalked, columns)),
      { ...claimArgs(input), ...this.#typeArgs(input) },
    );
  }

  #wakeText(typed: boolean, lanesWalked: number, columns: Record<string, string>): string {
    const { lanes } = this.t;
    const jobsOf = (lane: string, depth = ":limit") => this.#runnable(lane, false, depth);
    const typeWake = typed
      ? `UNION ALL
         SELECT b.cur_end FROM budgets b WHERE b.budget <= 0 AND (
           EXISTS (SELECT 1 FROM (${jobsOf("concurrency_key IS NULL", ":scan")})
             WHERE type = b.type)
           OR EXISTS (SELECT 1 FROM (SELECT key FROM (${this.#laneState()})
               WHERE room > 0 AND budget > 0 LIMIT ${lanesWalked}) o
             WHERE EXISTS (SELECT 1 FROM (${jobsOf("concurrency_key = o.key", ":scan")})
               WHERE type = b.type)))`
      : "";
    return `WITH ${typed ? `${this.#typeCtes()},` : ""}
        -- Lanes with a current window (index), no starts left, room and a runnable job.
        spent_lanes AS (SELECT l.win_end AS wake FROM ${lanes} l
          WHERE l.queue = :queue AND l.win_end > :now AND l.head IS NOT NULL
            AND ${this.#budget("l")} <= 0 AND ${this.#room("l")} > 0
            AND EXISTS (${jobsOf("concurrency_key = l.key")}))
       SELECT (SELECT MIN(wake) FROM (SELECT wake FROM spent_lanes ${typeWake})) AS wake
         ${Object.entries(columns)
           .map(([name, expression]) => `, ${expression} AS ${name}`)
           .join("")}`;
  }
}
