/** A database file as an earlier release left it, to test schema upgrades. */
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { MIGRATIONS } from "../../src/backends/sqlite/migrations.js";
import { type Tables, tablesFor } from "../../src/backends/sqlite/schema.js";
import { tempDir } from "./temp-dir.js";

/** An open database at schema `version`, and what it holds. */
export interface OldDatabase {
  url: string;
  tables: Tables;
  /** The schema version the database is at now (after whatever a test ran on it). */
  version(): Promise<string>;
  remove(): void;
}

/**
 * A database file at schema `version` (its migrations applied as released), holding the rows
 * `rows` inserts (written as that version stored them).
 */
export async function databaseAt(
  version: number,
  rows: (t: Tables) => string[],
): Promise<OldDatabase> {
  const dir = tempDir();
  const url = `file:${join(dir.path, `v${version}.db`)}`;
  const client = createClient({ url });
  const t = tablesFor("jdobb_");
  const applied = MIGRATIONS.slice(0, version);
  await client.batch(
    [
      `CREATE TABLE ${t.meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
      ...applied.flatMap((migration) => migration(t)),
      ...applied.map((_, i) => `INSERT INTO ${t.meta} VALUES ('migration:${i + 1}', '')`),
      `INSERT INTO ${t.meta} VALUES ('version', '${version}')`,
      ...rows(t),
    ],
    "write",
  );
  return {
    url,
    tables: t,
    async version() {
      const meta = await client.execute(`SELECT value FROM ${t.meta} WHERE key = 'version'`);
      return String(meta.rows[0]?.value);
    },
    remove() {
      client.close();
      dir.remove();
    },
  };
}
