/**
 * Versioned schema. Each migration is one atomic batch that first claims its marker row in the
 * meta table, so two processes starting at once cannot both apply it: the loser's batch fails
 * on the marker's primary key, rolls back, and it re-reads the version.
 */
import type { SqliteClient, SqlStatement } from "./client.js";
import { MIGRATIONS } from "./migrations.js";

/** Table names for one prefix. */
export interface Tables {
  jobs: string;
  events: string;
  meta: string;
  /** Per concurrency key: rotation state, stored limit overrides and the key's rate window. */
  lanes: string;
  /** Per job type: the current rate window. */
  windows: string;
  schedules: string;
  /** Per queue: its stored limits (`setQueueLimits`). */
  settings: string;
}

/** The table names for a prefix (validated by the factory). */
export function tablesFor(prefix: string): Tables {
  const name = (table: string) => `${prefix}${table}`;
  return {
    jobs: name("jobs"),
    events: name("events"),
    meta: name("meta"),
    lanes: name("lanes"),
    windows: name("windows"),
    schedules: name("schedules"),
    settings: name("settings"),
  };
}

/** The schema version this code needs. */
export const SCHEMA_VERSION = MIGRATIONS.length;

function stmt(sql: string, args: string[] = []): SqlStatement {
  return { sql, args };
}

async function readVersion(client: SqliteClient, t: Tables): Promise<number> {
  const [, result] = await client.batch([
    stmt(`CREATE TABLE IF NOT EXISTS ${t.meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`),
    stmt(
      `SELECT COALESCE(MAX(CAST(value AS INTEGER)), 0) AS v FROM ${t.meta} WHERE key = 'version'`,
    ),
  ]);
  return Number(result?.rows[0]?.v ?? 0);
}

/** Brings the schema to {@link SCHEMA_VERSION}; a no-op (one round trip) when it is current. */
export async function migrate(client: SqliteClient, t: Tables): Promise<void> {
  let version = await readVersion(client, t);
  while (version < SCHEMA_VERSION) {
    const next = version + 1;
    const statements = (MIGRATIONS[next - 1] as (t: Tables) => readonly string[])(t).map((sql) =>
      stmt(sql),
    );
    try {
      await client.batch([
        stmt(`INSERT INTO ${t.meta} (key, value) VALUES (?1, '')`, [`migration:${next}`]),
        ...statements,
        stmt(`INSERT OR REPLACE INTO ${t.meta} (key, value) VALUES ('version', ?1)`, [
          String(next),
        ]),
      ]);
    } catch (error) {
      const raced = (await readVersion(client, t)) >= next;
      if (!raced) throw error;
    }
    version = await readVersion(client, t);
  }
}
