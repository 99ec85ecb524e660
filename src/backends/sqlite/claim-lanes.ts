/**
 * Which lanes a full claim draws its candidates from (claim rules 2-4): the `chosen` CTE, the
 * first `limit` lanes by their first candidate — its priority desc, then the lane's turn
 * (never served first), then its run time and insertion. No other lane can matter: a lane
 * after them has `limit` lanes before it whose first candidates each rank above every
 * candidate it has (a higher priority; or the same priority, round 1, and an earlier turn or
 * first candidate, while its own candidates have at best that priority and round 1).
 *
 * Finding the first candidate of every open lane costs one index probe per lane, so the
 * claim first walks only the first `2 × limit` open lanes in the order of the rotation index
 * — `head` desc (the lane's highest queued priority), turn, then the run time and insertion
 * of its first queued job: the claim's own order whenever that job is a candidate — plus the
 * unkeyed lane. Every lane after the walk is at best the next one's index entry (its
 * candidates have at most `head` priority, and at that priority come no earlier than its
 * first queued job); when at least `limit` walked lanes rank strictly above that entry, the
 * walk decides alone: the usual case, unless delayed jobs or spent types sit first in many
 * lanes. Otherwise every open lane is probed.
 */
import { ClaimSql } from "./claim-sql.js";
import type { Tables } from "./schema.js";

/** `:walk` binds this: the open lanes walked before deciding whether every one is needed. */
export const walkDepth = (limit: number) => 2 * limit;

/**
 * The CTEs up to `chosen` (needs the `spent` CTE): columns `key` (NULL: the unkeyed lane),
 * `turn`, `win` (the key window a start counts in), `cap`, and the first candidate's `pos`,
 * `priority` and `run_at`.
 */
export function chosenLanes(t: Tables): string {
  const q = new ClaimSql(t);
  const first = (lane: string) => `(SELECT pos FROM (${q.eligible(lane, "1")}))`;
  const probe = (lanes: string) => `SELECT c.key, c.turn, c.win, c.cap, f.pos, f.priority,
      f.run_at FROM ${lanes} c JOIN ${t.jobs} f ON f.pos = ${first("concurrency_key = c.key")}`;
  // Strictly above the next lane's index entry, so above every lane not walked. (The probe
  // of every open lane joins them to a row only when undecided: CROSS JOIN keeps it outside,
  // so a decided claim walks none of them.)
  const above = `w.priority > n.head OR (w.priority = n.head AND (
      (n.turn IS NOT NULL AND (w.turn IS NULL OR w.turn < n.turn))
      OR (w.turn IS NULL AND n.turn IS NULL AND (w.run_at, w.pos) < (n.first_run, n.first_pos))))`;
  const order = "head DESC, turn, first_run, first_pos";
  const open = (tail = "") => `SELECT key, turn, head, first_run, first_pos, win,
      MIN(room, budget, :limit) AS cap FROM (${q.laneState(true, tail)})`;
  return `walk AS (SELECT *, ROW_NUMBER() OVER (ORDER BY ${order}) AS o
        FROM (${open("ORDER BY l.head DESC, l.turn, l.first_run, l.first_pos LIMIT :walk + 1")})),
      next AS (SELECT head, turn, first_run, first_pos FROM walk WHERE o > :walk),
      unkeyed AS (SELECT NULL AS key,
          (SELECT turn FROM ${t.lanes} WHERE queue = :queue AND key = '') AS turn, NULL AS win,
          :limit AS cap, f.pos, f.priority, f.run_at
        FROM ${t.jobs} f WHERE f.pos = ${first("concurrency_key IS NULL")}),
      walked AS (${probe("(SELECT * FROM walk WHERE o <= :walk)")} UNION ALL SELECT * FROM unkeyed),
      decided AS (SELECT NOT EXISTS (SELECT 1 FROM next) OR (SELECT COUNT(*) FROM walked w, next n
          WHERE ${above}) >= :limit AS yes),
      firsts AS (SELECT * FROM walked WHERE (SELECT yes FROM decided)
        UNION ALL ${probe(`(SELECT 1 FROM decided WHERE NOT yes) g CROSS JOIN (${open()})`)}
        UNION ALL SELECT * FROM unkeyed WHERE NOT (SELECT yes FROM decided)),
      chosen AS (SELECT * FROM firsts ORDER BY priority DESC, turn, run_at, pos LIMIT :limit)`;
}
