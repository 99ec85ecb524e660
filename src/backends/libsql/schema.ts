/**
 * Versioned schema. Each migration is one atomic batch that first claims its marker row in the
 * meta table, so two processes starting at once cannot both apply it: the loser's batch fails
 * on the marker's primary key, rolls back, and it re-reads the version.
 */
import type { LibsqlClientLike, Statement } from "./client.js";

/** Table names for one prefix. */
export interface Tables {
  jobs: string;
  events: string;
  meta: string;
}

export function tablesFor(prefix: string): Tables {
  return { jobs: `${prefix}jobs`, events: `${prefix}events`, meta: `${prefix}meta` };
}

const EVENT_COLUMNS =
  "NEW.id, NEW.seq, NEW.event, NEW.updated_at, NEW.state, NEW.progress, NEW.message, NEW.data, " +
  "NEW.attempts, NEW.run_at, NEW.result, NEW.error";

/** Migration n (1-based) is `MIGRATIONS[n - 1]`. Never edit a released one; append. */
const MIGRATIONS: Array<(t: Tables) => string[]> = [
  (t) => [
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
  ],
];

/** The schema version this code needs. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function stmt(sql: string, args: Record<string, string> = {}): Statement {
  return { sql, args };
}

async function readVersion(client: LibsqlClientLike, t: Tables): Promise<number> {
  const [, result] = await client.batch(
    [
      stmt(`CREATE TABLE IF NOT EXISTS ${t.meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`),
      stmt(
        `SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) AS v FROM ${t.meta} WHERE key = 'version'`,
      ),
    ],
    "write",
  );
  return Number(result?.rows[0]?.v ?? 0);
}

/** Brings the schema to {@link SCHEMA_VERSION}; a no-op (one round trip) when it is current. */
export async function migrate(client: LibsqlClientLike, t: Tables): Promise<void> {
  let version = await readVersion(client, t);
  while (version < SCHEMA_VERSION) {
    const next = version + 1;
    const statements = (MIGRATIONS[next - 1] as (t: Tables) => string[])(t).map((sql) => stmt(sql));
    try {
      await client.batch(
        [
          stmt(`INSERT INTO ${t.meta} (key, value) VALUES (:key, '')`, {
            key: `migration:${next}`,
          }),
          ...statements,
          stmt(`INSERT OR REPLACE INTO ${t.meta} (key, value) VALUES ('version', :v)`, {
            v: String(next),
          }),
        ],
        "write",
      );
    } catch (error) {
      const raced = (await readVersion(client, t)) >= next;
      if (!raced) throw error;
    }
    version = await readVersion(client, t);
  }
}
