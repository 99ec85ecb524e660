/**
 * Migration 3 (issue 18): stored queue limits; type windows counted by trigger; each lane's
 * first queued job (`first_run`, `first_pos`, beside `head`), so the rotation index orders
 * lanes as the claim ranks them (claim-lanes.ts); when a claim last fired each schedule; the
 * `wakeAt` of the claim that started each job (a re-sent claim answers it again).
 * Once released (it is not yet: Unreleased in CHANGELOG.md), never edit it: append a migration.
 */
import type { Tables } from "./schema.js";

/** The lane's first queued job, `(priority, run_at, pos)` (NULLs: none), from its ready index. */
const firstQueued = (t: Tables, job: "NEW" | "OLD") =>
  `(SELECT priority, run_at, pos FROM ${t.jobs} WHERE queue = ${job}.queue
     AND concurrency_key = ${job}.concurrency_key AND state = 'queued'
     ORDER BY priority DESC, run_at, pos LIMIT 1)`;

/**
 * The lane's turn once `job` enters it from outside `active` (claim rule 6): none (never
 * served) if the lane has no `queued` job (`head` IS NULL) and no `active` one, else kept.
 */
const turnOnEntry = (t: Tables) =>
  `IIF(head IS NULL AND NOT EXISTS (SELECT 1 FROM ${t.jobs} j WHERE j.queue = ${t.lanes}.queue
     AND j.concurrency_key = ${t.lanes}.key AND j.state = 'active'), NULL, turn)`;

/**
 * Lane rows that hold nothing (issue 19): no `queued` job, no override, no open key window and
 * no `active` job. Their turn is moot (see {@link turnOnEntry}), so they can go; the purge
 * sweeps with the same condition (statements-jobs.ts).
 */
export const IDLE_LANE = (t: Tables, now: string) =>
  `head IS NULL AND concurrency IS NULL AND rate_limit IS NULL AND rate_window_ms IS NULL
     AND (win_end IS NULL OR win_end <= ${now}) AND NOT EXISTS (SELECT 1 FROM ${t.jobs} j
       WHERE j.queue = ${t.lanes}.queue AND j.concurrency_key = ${t.lanes}.key
         AND j.state = 'active')`;

/**
 * `SET` clauses that make the job `(priority, run, pos)` the lane's first when it comes before
 * the current first (priority desc, run time, insertion) or the lane has none.
 */
function takeFirst(priority: string, run: string, pos: string): string {
  const ahead = `(head IS NULL OR ${priority} > head
    OR (${priority} = head AND (${run}, ${pos}) < (first_run, first_pos)))`;
  return `head = IIF(${ahead}, ${priority}, head), first_run = IIF(${ahead}, ${run}, first_run),
    first_pos = IIF(${ahead}, ${pos}, first_pos)`;
}

/** Version 3: stored queue limits, type windows by trigger, each lane's first queued job. */
export function migration3(t: Tables): string[] {
  const lane = (job: "NEW" | "OLD") => `queue = ${job}.queue AND key = ${job}.concurrency_key`;
  return [
    // One row per queue that stored limits: the key defaults (overridden per key on the lane
    // row) and the type limits as a JSON array of `{type, limit, windowMs}`, sorted by type.
    `CREATE TABLE ${t.settings} (
      queue TEXT PRIMARY KEY,
      key_concurrency INTEGER,
      key_rate INTEGER,
      key_rate_ms INTEGER,
      type_limits TEXT NOT NULL
    ) WITHOUT ROWID`,
    // Set by a claim on a job whose type has a rate limit: the end of the window it counts in.
    `ALTER TABLE ${t.jobs} ADD COLUMN type_window_end INTEGER`,
    // Set by a full claim's wake step on the jobs it started: its \`wakeAt\` (0: none), which a
    // re-sent claim answers again (statements-wake.ts); NULL until then.
    `ALTER TABLE ${t.jobs} ADD COLUMN claim_wake INTEGER`,
    `ALTER TABLE ${t.lanes} ADD COLUMN first_run INTEGER`,
    `ALTER TABLE ${t.lanes} ADD COLUMN first_pos INTEGER`,
    `UPDATE ${t.lanes} SET (head, first_run, first_pos) = (SELECT priority, run_at, pos
       FROM ${t.jobs} j WHERE j.queue = ${t.lanes}.queue AND j.concurrency_key = ${t.lanes}.key
         AND j.state = 'queued' ORDER BY priority DESC, run_at, pos LIMIT 1)
     WHERE key <> ''`,
    // Rotation order: highest head first, then least recently served (never served first),
    // then the earliest first job (the claim's order when that job is runnable).
    `DROP INDEX ${t.lanes}_rotation`,
    `CREATE INDEX ${t.lanes}_rotation ON ${t.lanes} (queue, head DESC, turn, first_run, first_pos)
      WHERE head IS NOT NULL`,
    // When a claim last fired the schedule: a claim reports the schedules it fired (at its
    // \`now\`) that need refilling, which \`updated_at\` cannot tell from other changes.
    `ALTER TABLE ${t.schedules} ADD COLUMN fired_at INTEGER`,
    `DROP INDEX ${t.schedules}_changed`,
    `CREATE INDEX ${t.schedules}_fired ON ${t.schedules} (queue, fired_at)
      WHERE fired_at IS NOT NULL`,
    `DROP TRIGGER ${t.jobs}_lane_insert`,
    `DROP TRIGGER ${t.jobs}_lane_state`,
    `DROP TRIGGER ${t.jobs}_lane_delete`,
    `CREATE TRIGGER ${t.jobs}_lane_insert AFTER INSERT ON ${t.jobs}
      WHEN NEW.concurrency_key IS NOT NULL BEGIN
        INSERT INTO ${t.lanes} (queue, key) VALUES (NEW.queue, '') ON CONFLICT DO NOTHING;
        INSERT INTO ${t.lanes} (queue, key, head, first_run, first_pos)
          VALUES (NEW.queue, NEW.concurrency_key, NEW.priority, NEW.run_at, NEW.pos)
          ON CONFLICT DO UPDATE SET turn = ${turnOnEntry(t)},
            ${takeFirst("excluded.head", "excluded.first_run", "excluded.first_pos")};
      END`,
    // A start (queued -> active) moves the lane's turn to the job's claim order and counts it
    // in the key's and the type's windows the claim named (a window other than the one
    // counted so far starts again at 1, as after a change of window size); unkeyed jobs move row '' (the
    // unkeyed lane's turn) only once it exists, i.e. once the queue has had a keyed job. A
    // keyed job entering `queued` may become its lane's first; the first leaving makes the
    // next one first. A keyed job leaving both leaves its lane's row to be deleted if it
    // holds nothing. Only a real change of state fires this, so a re-sent claim counts
    // nothing twice. (One trigger: each costs a sub-program call per row.)
    `CREATE TRIGGER ${t.jobs}_lane_state AFTER UPDATE OF state ON ${t.jobs}
      WHEN (NEW.concurrency_key IS NOT NULL AND ((OLD.state = 'queued') <> (NEW.state = 'queued')
          OR (OLD.state = 'active' AND NEW.state <> 'active')))
        OR (OLD.state = 'queued' AND NEW.state = 'active'
          AND (NEW.claim_order IS NOT NULL OR NEW.type_window_end IS NOT NULL))
      BEGIN
        UPDATE ${t.lanes} SET
            turn = IIF(NEW.claim_order IS NULL, turn, MAX(COALESCE(turn, 0), NEW.claim_order)),
            win_count = CASE WHEN NEW.key_window_end IS NULL THEN win_count
              WHEN win_end = NEW.key_window_end THEN win_count + 1 ELSE 1 END,
            win_end = COALESCE(NEW.key_window_end, win_end)
          WHERE queue = NEW.queue AND key = COALESCE(NEW.concurrency_key, '')
            AND OLD.state = 'queued' AND NEW.state = 'active';
        UPDATE ${t.lanes} SET (head, first_run, first_pos) = ${firstQueued(t, "NEW")}
          WHERE ${lane("NEW")} AND first_pos = OLD.pos AND OLD.state = 'queued'
            AND NEW.state <> 'queued';
        INSERT INTO ${t.lanes} (queue, key, head, first_run, first_pos)
          SELECT NEW.queue, NEW.concurrency_key, NEW.priority, NEW.run_at, NEW.pos
          WHERE NEW.state = 'queued' AND OLD.state <> 'queued'
          ON CONFLICT DO UPDATE SET turn = IIF(OLD.state = 'failed', ${turnOnEntry(t)}, turn),
            ${takeFirst("excluded.head", "excluded.first_run", "excluded.first_pos")};
        INSERT INTO ${t.windows} (queue, type, win_end, count, turn)
          SELECT NEW.queue, NEW.type, NEW.type_window_end, 1, 0
          WHERE NEW.type_window_end IS NOT NULL AND OLD.state = 'queued' AND NEW.state = 'active'
          ON CONFLICT (queue, type) DO UPDATE SET
            count = IIF(win_end = excluded.win_end, count + 1, 1), win_end = excluded.win_end;
        DELETE FROM ${t.lanes} WHERE ${lane("NEW")} AND NEW.state NOT IN ('queued', 'active')
          AND ${IDLE_LANE(t, "NEW.updated_at")};
      END`,
    `CREATE TRIGGER ${t.jobs}_lane_delete AFTER DELETE ON ${t.jobs}
      WHEN OLD.concurrency_key IS NOT NULL AND OLD.state = 'queued' BEGIN
        UPDATE ${t.lanes} SET (head, first_run, first_pos) = ${firstQueued(t, "OLD")}
          WHERE ${lane("OLD")} AND first_pos = OLD.pos;
      END`,
  ];
}
