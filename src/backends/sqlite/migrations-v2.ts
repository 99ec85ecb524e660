/**
 * Migration 2 (issue 13): concurrency keys, lanes, rate windows and schedules. Everything it
 * maintains by trigger is guarded by `concurrency_key IS NOT NULL`, so a queue that never uses
 * keys pays nothing for them on enqueue, claim or finish. Released: never edit; append.
 */
import type { Tables } from "./schema.js";

/** The highest priority among a lane's queued jobs (one seek in the lane's ready index). */
const laneHead = (t: Tables, job: "NEW" | "OLD") =>
  `(SELECT priority FROM ${t.jobs} WHERE queue = ${job}.queue
     AND concurrency_key = ${job}.concurrency_key AND state = 'queued'
     ORDER BY priority DESC LIMIT 1)`;

/** Version 2: concurrency keys, lanes, rate windows and schedules. */
export function migration2(t: Tables): string[] {
  return [
    `ALTER TABLE ${t.jobs} ADD COLUMN concurrency_key TEXT`,
    // Set by each claim on the jobs it claims: the claim's base turn plus the job's place in
    // it (NULL while the queue has no lanes). Orders a claim's reply, and moves lane turns
    // (see statements-claim.ts).
    `ALTER TABLE ${t.jobs} ADD COLUMN claim_order INTEGER`,
    // Set by a claim on a keyed job with a rate limit: the end of the window it counts in.
    `ALTER TABLE ${t.jobs} ADD COLUMN key_window_end INTEGER`,
    // The call that last redrove the job: a re-sent redrive knows its own even after a claim
    // has replaced the token.
    `ALTER TABLE ${t.jobs} ADD COLUMN redriven_by TEXT`,
    // The ready index per lane replaces the queue-wide one: unkeyed jobs are the lane
    // `concurrency_key IS NULL`, in the same order (priority desc, run time, insertion).
    `DROP INDEX IF EXISTS ${t.jobs}_ready`,
    `CREATE INDEX ${t.jobs}_lane_ready ON ${t.jobs}
      (queue, concurrency_key, priority DESC, run_at) WHERE state = 'queued'`,
    // A key's active jobs are counted here, so no count is stored that could drift.
    `CREATE INDEX ${t.jobs}_lane_active ON ${t.jobs} (queue, concurrency_key)
      WHERE state = 'active' AND concurrency_key IS NOT NULL`,
    // One row per concurrency key used (key '' holds the unkeyed lane's turn, once any key
    // is used). `head`: the highest priority among the lane's queued jobs (NULL: none), kept
    // by triggers; `turn`: the claim order of the lane's latest start (NULL: never served);
    // overrides from setKeyLimits; the key's current rate window (its end and starts).
    `CREATE TABLE ${t.lanes} (
      queue TEXT NOT NULL,
      key TEXT NOT NULL,
      head INTEGER,
      turn INTEGER,
      concurrency INTEGER,
      rate_limit INTEGER,
      rate_window_ms INTEGER,
      win_end INTEGER,
      win_count INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (queue, key)
    )`,
    // Rotation order: highest head first, then least recently served (never served first),
    // then the older lane (rowid).
    `CREATE INDEX ${t.lanes}_rotation ON ${t.lanes} (queue, head DESC, turn)
      WHERE head IS NOT NULL`,
    `CREATE INDEX ${t.lanes}_turn ON ${t.lanes} (queue, turn) WHERE turn IS NOT NULL`,
    `CREATE INDEX ${t.lanes}_window ON ${t.lanes} (queue, win_end) WHERE win_end IS NOT NULL`,
    // Per job type with a rate limit: the current window's end and starts; `turn` is the
    // claim order of the last claim counted, so a re-sent claim counts nothing twice.
    `CREATE TABLE ${t.windows} (
      queue TEXT NOT NULL,
      type TEXT NOT NULL,
      win_end INTEGER NOT NULL,
      count INTEGER NOT NULL,
      turn INTEGER NOT NULL,
      PRIMARY KEY (queue, type)
    ) WITHOUT ROWID`,
    // `upcoming`: JSON array of tick times not yet fired; `next_due` its first element;
    // `fired`: the ticks the latest change fired (a trigger turns them into jobs).
    `CREATE TABLE ${t.schedules} (
      queue TEXT NOT NULL,
      id TEXT NOT NULL,
      cron TEXT NOT NULL,
      timezone TEXT,
      type TEXT NOT NULL,
      payload TEXT NOT NULL,
      priority INTEGER NOT NULL,
      max_attempts INTEGER NOT NULL,
      backoff TEXT,
      concurrency_key TEXT,
      catch_up TEXT NOT NULL,
      upcoming TEXT NOT NULL,
      next_due INTEGER,
      last_tick_at INTEGER,
      fired TEXT,
      version INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (queue, id)
    )`,
    `CREATE INDEX ${t.schedules}_due ON ${t.schedules} (queue, next_due)
      WHERE next_due IS NOT NULL`,
    // Finds the schedules a claim just fired, to return those that need refilling.
    `CREATE INDEX ${t.schedules}_changed ON ${t.schedules} (queue, updated_at)`,
    // Lane heads follow keyed jobs into and out of `queued`.
    `CREATE TRIGGER ${t.jobs}_lane_insert AFTER INSERT ON ${t.jobs}
      WHEN NEW.concurrency_key IS NOT NULL BEGIN
        INSERT INTO ${t.lanes} (queue, key) VALUES (NEW.queue, '') ON CONFLICT DO NOTHING;
        INSERT INTO ${t.lanes} (queue, key, head) VALUES (NEW.queue, NEW.concurrency_key, NEW.priority)
          ON CONFLICT DO UPDATE SET head = MAX(COALESCE(head, excluded.head), excluded.head);
      END`,
    // Lanes follow their jobs: a keyed job entering or leaving `queued` moves its lane's head;
    // a claim (queued -> active) also moves the lane's turn to the job's claim order and
    // counts the start in the key's rate window the claim named (`key_window_end`). Unkeyed
    // jobs move row '' (the unkeyed lane's turn) only when claimed with a claim order, i.e.
    // once the queue uses keys. Only a real change of state fires this, so a re-sent claim
    // counts nothing twice. (One trigger, not two: each costs a sub-program call per row.)
    `CREATE TRIGGER ${t.jobs}_lane_state AFTER UPDATE OF state ON ${t.jobs}
      WHEN (NEW.concurrency_key IS NOT NULL AND (OLD.state = 'queued') <> (NEW.state = 'queued'))
        OR (NEW.claim_order IS NOT NULL AND OLD.state = 'queued' AND NEW.state = 'active')
      BEGIN
        UPDATE ${t.lanes} SET head = CASE
            WHEN NEW.concurrency_key IS NULL THEN NULL
            WHEN NEW.state = 'queued' THEN MAX(COALESCE(head, NEW.priority), NEW.priority)
            WHEN head > OLD.priority THEN head
            ELSE ${laneHead(t, "NEW")} END,
          turn = IIF(NEW.state = 'active', MAX(COALESCE(turn, 0), NEW.claim_order), turn),
          win_count = CASE WHEN NEW.state <> 'active' OR NEW.key_window_end IS NULL THEN win_count
            WHEN win_end = NEW.key_window_end THEN win_count + 1
            WHEN win_end > NEW.key_window_end THEN win_count ELSE 1 END,
          win_end = IIF(NEW.state = 'active' AND NEW.key_window_end IS NOT NULL,
            MAX(COALESCE(win_end, 0), NEW.key_window_end), win_end)
          WHERE queue = NEW.queue AND key = COALESCE(NEW.concurrency_key, '');
      END`,
    `CREATE TRIGGER ${t.jobs}_lane_delete AFTER DELETE ON ${t.jobs}
      WHEN OLD.concurrency_key IS NOT NULL AND OLD.state = 'queued' BEGIN
        UPDATE ${t.lanes} SET head = IIF(head > OLD.priority, head, ${laneHead(t, "OLD")})
          WHERE queue = OLD.queue AND key = OLD.concurrency_key;
      END`,
    // A change that sets `fired` turns each tick in it into a job, unless that job exists.
    `CREATE TRIGGER ${t.schedules}_fire AFTER UPDATE OF fired ON ${t.schedules}
      WHEN NEW.fired IS NOT NULL BEGIN
        INSERT INTO ${t.jobs} (id, queue, type, payload, state, priority, max_attempts, run_at,
          created_at, updated_at, backoff, concurrency_key)
        SELECT NEW.queue || '@' || NEW.id || '@' || tick.value, NEW.queue, NEW.type, NEW.payload, 'queued',
          NEW.priority, NEW.max_attempts, tick.value, NEW.updated_at, NEW.updated_at,
          NEW.backoff, NEW.concurrency_key
        FROM json_each(NEW.fired) AS tick WHERE true
        ON CONFLICT DO NOTHING;
      END`,
  ];
}
