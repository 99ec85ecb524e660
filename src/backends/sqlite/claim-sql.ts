/**
 * SQL fragments the claim statements share (statements-claim.ts, statements-wake.ts): the
 * claim's settings, rate windows, lane state and a lane's runnable jobs. Each is an
 * expression or a subquery over the claim's named arguments (`:queue`, `:now`, `:limit`,
 * `:scan`) and the tables of one prefix.
 */
import { TYPE_SKIP_DEPTH } from "../../backend.js";
import type { Tables } from "./schema.js";

/** `:now` as an integer (HTTP clients send numbers as floats), for window arithmetic. */
const NOW = "CAST(:now AS INTEGER)";

/** The end of the fixed window of `ms` milliseconds that holds now. */
export const windowEnd = (ms: string) => `((${NOW} / (${ms})) + 1) * (${ms})`;

/** How deep a lane is searched for an eligible job: `:scan` binds this (claim rule 3). */
export const scanDepth = (limit: number) => limit + TYPE_SKIP_DEPTH;

/** The shared claim fragments for one set of tables. */
export class ClaimSql {
  constructor(private readonly t: Tables) {}

  /** The queue's settings row as `s` (columns NULL when it has none), to join beside a lane. */
  get settings(): string {
    return `LEFT JOIN ${this.t.settings} s ON s.queue = :queue`;
  }

  /**
   * Per-type limits from the queue's settings with their window's end and the starts left
   * in it (`budgets`), and the types with none left (`spent`: materialised, as the claim
   * names it in every lane's walk, and a text that inlines it each time prepares slower).
   */
  typeCtes(): string {
    return `types AS (SELECT value ->> 'type' AS type, value ->> 'limit' AS lim,
          ${windowEnd("CAST(value ->> 'windowMs' AS INTEGER)")} AS cur_end
          FROM ${this.t.settings} st, json_each(st.type_limits) WHERE st.queue = :queue),
        budgets AS (SELECT t.type, t.cur_end,
          t.lim - IIF(w.win_end = t.cur_end, w.count, 0) AS budget
          FROM types t LEFT JOIN ${this.t.windows} w ON w.queue = :queue AND w.type = t.type),
        spent AS MATERIALIZED (SELECT type FROM budgets WHERE budget <= 0)`;
  }

  /**
   * A lane's first runnable jobs (queued, due) in lane order (priority desc, run time,
   * insertion), from the per-lane ready index: at most `depth`.
   */
  runnable(lane: string, depth: string): string {
    return `SELECT pos, priority, run_at, type FROM ${this.t.jobs}
      WHERE queue = :queue AND ${lane} AND state = 'queued' AND run_at <= :now
      ORDER BY priority DESC, run_at, pos LIMIT ${depth}`;
  }

  /**
   * A lane's first eligible jobs (of types not spent; needs the `spent` CTE), found among
   * its first `:scan` runnable ones: at most `depth`.
   */
  eligible(lane: string, depth: string): string {
    return `SELECT * FROM (${this.runnable(lane, ":scan")})
      WHERE type NOT IN (SELECT type FROM spent) LIMIT ${depth}`;
  }

  /** The window size that applies to lane row `l`: its override's, else the queue's. */
  #laneMs(l: string): string {
    return `IIF(${l}.rate_limit IS NULL, s.key_rate_ms, ${l}.rate_window_ms)`;
  }

  /** Room left under lane row `l`'s concurrency limit (`:limit`: no limit). */
  room(l: string): string {
    const limit = `COALESCE(${l}.concurrency, s.key_concurrency)`;
    return `IIF(${limit} IS NULL, :limit, ${limit} - (SELECT COUNT(*) FROM ${this.t.jobs} a
      WHERE a.queue = :queue AND a.concurrency_key = ${l}.key AND a.state = 'active'))`;
  }

  /** Starts left in lane row `l`'s current rate window (`:limit`: no limit). */
  budget(l: string): string {
    const limit = `COALESCE(${l}.rate_limit, s.key_rate)`;
    const current = `${l}.win_end = ${windowEnd(this.#laneMs(l))}`;
    return `IIF(${limit} IS NULL, :limit, ${limit} - IIF(${current}, ${l}.win_count, 0))`;
  }

  /**
   * Keyed lanes with queued jobs, with their turn, `head` and first queued job, room and rate
   * budget, and the end of the key window a start counts in (NULL: no rate limit). `open`
   * keeps those with room and starts left; `tail` (say the rotation index's order and a
   * `LIMIT`) applies at the same level, so a limited walk reads the index no further.
   */
  laneState(open = false, tail = ""): string {
    const rated = "COALESCE(l.rate_limit, s.key_rate) IS NOT NULL";
    return `SELECT l.key, l.turn, l.head, l.first_run, l.first_pos, ${this.room("l")} AS room, ${this.budget("l")} AS budget,
        IIF(${rated}, ${windowEnd(this.#laneMs("l"))}, NULL) AS win
      FROM ${this.t.lanes} l ${this.settings}
      WHERE l.queue = :queue AND l.head IS NOT NULL${open ? " AND room > 0 AND budget > 0" : ""}
      ${tail}`;
  }

  /**
   * The jobs this claim holds (its token and lease end), through the lease index; a claim
   * group names each member's by `token` and `leaseUntil` expressions.
   */
  mine(alias = "", token = ":token", leaseUntil = ":leaseUntil"): string {
    const a = alias ? `${alias}.` : "";
    return `${a}queue = :queue AND ${a}state = 'active' AND ${a}lease_until = ${leaseUntil}
      AND ${a}token = ${token}`;
  }
}
