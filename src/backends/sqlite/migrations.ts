/**
 * The schema's migrations, one function per version. Never edit a released one; append.
 *
 * Version 2 (issue 13) adds concurrency keys, lanes, rate windows and schedules. Everything it
 * maintains by trigger is guarded by `concurrency_key IS NOT NULL`, so a queue that never uses
 * keys pays nothing for them on enqueue, claim or finish.
 *
 * Version 3 (issue 18) stores each queue's limits, which claims read in their own batch, and
 * each lane's first queued job.
 */
import { migration2 } from "./migrations-v2.js";
import { migration3 } from "./migrations-v3.js";
import type { Tables } from "./schema.js";

const EVENT_COLUMNS =
  "NEW.id, NEW.seq, NEW.event, NEW.updated_at, NEW.state, NEW.progress, NEW.message, NEW.data, " +
  "NEW.attempts, NEW.run_at, NEW.result, NEW.error";

/** Migration n (1-based) is `MIGRATIONS[n - 1]`. Never edit a released one; append. */
export const MIGRATIONS: ReadonlyArray<(t: Tables) => readonly string[]> = [
  migration1,
  migration2,
  migration3,
];

function migration1(t: Tables): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${t.jobs} (
      pos INTEGER PRIMARY KEY AUTOINCREMENT,
      id TEXT NOT NULL UNIQUE,
      queue TEXT NOT NULL,
      type TEXT NOT NULL,
      payload TEXT NOT NULL,
      state TEXT NOT NULL,
      priority INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      max_attempts INTEGER NOT NULL,
      run_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      progress REAL NOT NULL DEFAULT 0,
      message TEXT,
      data TEXT,
      result TEXT,
      error TEXT,
      backoff TEXT,
      token TEXT,
      lease_until INTEGER,
      idempotency_key TEXT,
      expires_at INTEGER,
      seq INTEGER NOT NULL DEFAULT 1,
      event TEXT NOT NULL DEFAULT 'enqueued'
    )`,
    // Partial indexes: a state change touches only the (small) indexes of the states it
    // leaves and enters, which keeps every write to a few pages.
    `CREATE INDEX IF NOT EXISTS ${t.jobs}_ready ON ${t.jobs} (queue, priority DESC, run_at)
      WHERE state = 'queued'`,
    `CREATE INDEX IF NOT EXISTS ${t.jobs}_lease ON ${t.jobs} (queue, lease_until)
      WHERE state = 'active'`,
    `CREATE INDEX IF NOT EXISTS ${t.jobs}_finished ON ${t.jobs} (queue, state, expires_at)
      WHERE expires_at IS NOT NULL`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${t.jobs}_key ON ${t.jobs} (queue, idempotency_key)
      WHERE idempotency_key IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS ${t.jobs}_queue ON ${t.jobs} (queue)`,
    `CREATE TABLE IF NOT EXISTS ${t.events} (
      job_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      type TEXT NOT NULL,
      at INTEGER NOT NULL,
      state TEXT NOT NULL,
      progress REAL NOT NULL,
      message TEXT,
      data TEXT,
      attempt INTEGER NOT NULL,
      run_at INTEGER NOT NULL,
      result TEXT,
      error TEXT,
      PRIMARY KEY (job_id, seq)
    ) WITHOUT ROWID`,
    // The event log is written by triggers, so no statement can change a job without its event.
    `CREATE TRIGGER IF NOT EXISTS ${t.jobs}_log_insert AFTER INSERT ON ${t.jobs}
      BEGIN INSERT INTO ${t.events} VALUES (${EVENT_COLUMNS}); END`,
    `CREATE TRIGGER IF NOT EXISTS ${t.jobs}_log_update AFTER UPDATE OF seq ON ${t.jobs}
      WHEN NEW.seq > OLD.seq BEGIN INSERT INTO ${t.events} VALUES (${EVENT_COLUMNS}); END`,
    `CREATE TRIGGER IF NOT EXISTS ${t.jobs}_log_delete AFTER DELETE ON ${t.jobs}
      BEGIN DELETE FROM ${t.events} WHERE job_id = OLD.id; END`,
  ];
}
