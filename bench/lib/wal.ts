/**
 * WAL frames a SQLite database in WAL mode writes while a function runs, counted by SQLite.
 *
 * A checkpoint copies WAL frames back into the database file and, once everything is copied,
 * the next writer restarts the WAL from its first frame, so neither the `-wal` file's size
 * nor its frame count says how much was written across checkpoints. So, on a connection of
 * its own, the bench first checkpoints with TRUNCATE (the WAL is now empty) and then holds a
 * read transaction open on that empty WAL. Such a reader reads the database file itself, so no
 * checkpoint may copy frames into it (a checkpointer needs read-lock 0 exclusively, and this
 * reader holds it shared): the auto-checkpoints still run and find nothing they may do, and the
 * WAL never restarts. Every frame the run commits stays in the WAL; afterwards
 * `PRAGMA wal_checkpoint(PASSIVE)` reports their number (its `log` column), checked against the
 * `-wal` file's size (32-byte header + frames × (page size + 24-byte frame header)).
 *
 * A commit writes one frame per page it changed whether or not the WAL is pinned, so the count
 * is what the store writes; but the pin changes the timing (a growing WAL, no checkpoints), so
 * the bench does this in a run of its own, never in a timed one.
 *
 * The pin must use the same SQLite library as the connection being measured: two copies of
 * SQLite in one process do not see each other's POSIX locks.
 */
import { statSync } from "node:fs";

/** The slice of the better-sqlite3 API (also `libsql`'s) the pin uses. */
export interface SqliteConnection {
  exec(sql: string): unknown;
  pragma(source: string): unknown;
  prepare(sql: string): { get(...args: unknown[]): unknown };
  close(): unknown;
}

export interface WalWrites {
  /** WAL frames committed (one per page written per transaction). */
  frames: number;
  /** Bytes those frames take in the `-wal` file: frames × (page size + 24). */
  bytes: number;
  pageSize: number;
}

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

const checkpoint = (db: SqliteConnection, mode: string) =>
  (db.pragma(`wal_checkpoint(${mode})`) as CheckpointRow[])[0] as CheckpointRow;

const walSize = (path: string) => {
  try {
    return statSync(`${path}-wal`).size;
  } catch {
    return 0;
  }
};

/**
 * Runs `fn` with the WAL of the database at `path` pinned (see above) and returns the frames it
 * wrote. `db` is a fresh connection to that database, closed here; nothing else may be mid-
 * transaction when this starts.
 */
export async function walWrites(
  db: SqliteConnection,
  path: string,
  fn: () => Promise<void>,
): Promise<WalWrites> {
  try {
    const mode = (db.pragma("journal_mode") as { journal_mode: string }[])[0]?.journal_mode;
    if (mode !== "wal") throw new Error(`${path}: journal_mode is ${mode}, not wal`);
    const pageSize = (db.pragma("page_size") as { page_size: number }[])[0]?.page_size as number;
    const truncated = checkpoint(db, "TRUNCATE");
    if (truncated.busy !== 0 || walSize(path) !== 0) {
      throw new Error(`${path}: could not empty the WAL before the run`);
    }
    db.exec("BEGIN");
    db.prepare("SELECT count(*) FROM sqlite_schema").get(); // the read starts here
    try {
      await fn();
    } finally {
      db.exec("COMMIT");
    }
    const frames = checkpoint(db, "PASSIVE").log;
    const size = walSize(path);
    if (size !== (frames === 0 ? 0 : 32 + frames * (pageSize + 24))) {
      throw new Error(`${path}: ${frames} WAL frames but a ${size}-byte -wal file (restarted?)`);
    }
    return { frames, bytes: frames * (pageSize + 24), pageSize };
  } finally {
    db.close();
  }
}
