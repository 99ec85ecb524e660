/**
 * The slices of the peers' APIs the bench uses, typed structurally: the peers live in the
 * bench's own package (bench/package.json), so the root type-check cannot see their types.
 * Each slice follows the peer's published declarations at the version pinned there.
 */

/** BullMQ 6: connection options as the bench passes them (ioredis options). */
export interface BullConnection {
  host: string;
  port: number;
  db?: number;
  maxRetriesPerRequest: null;
}

/** A BullMQ job, as a processor sees it. */
export interface BullJob {
  updateProgress(progress: number): Promise<void>;
}

/** BullMQ's `Queue`. */
export interface BullQueue {
  add(name: string, data: unknown): Promise<unknown>;
  addBulk(jobs: { name: string; data: unknown }[]): Promise<unknown>;
  obliterate(options: { force: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** BullMQ's `Worker`. */
export interface BullWorker {
  on(event: "completed", listener: () => void): unknown;
  waitUntilReady(): Promise<unknown>;
  run(): Promise<void>;
  close(): Promise<void>;
}

/** The `bullmq` module. */
export interface BullMQ {
  Queue: new (name: string, options: { connection: BullConnection }) => BullQueue;
  Worker: new (
    name: string,
    processor: (job: BullJob) => Promise<unknown>,
    options: { connection: BullConnection; concurrency?: number; autorun?: boolean },
  ) => BullWorker;
}

/** A better-sqlite3 12 database (what the bench touches directly: lib/wal.ts reads its WAL). */
export interface SqliteDatabase {
  exec(sql: string): unknown;
  pragma(source: string): unknown;
  prepare(sql: string): { get(...args: unknown[]): unknown };
  close(): void;
}

/** plainjob's logger option. */
export interface PlainLogger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

/** plainjob's queue. */
export interface PlainQueue {
  addMany(type: string, data: unknown[]): unknown;
  close(): void;
}

/** The `plainjob` module (0.0.14) with its better-sqlite3 driver. */
export interface Plainjob {
  better(db: SqliteDatabase): unknown;
  defineQueue(options: { connection: unknown; logger?: PlainLogger }): PlainQueue;
  defineWorker(
    type: string,
    processor: () => void,
    options: { queue: PlainQueue; logger?: PlainLogger; onCompleted?: () => void },
  ): { start(): Promise<void>; stop(): Promise<void> };
  /** better-sqlite3's default export, the `Database` class. */
  Database: new (
    path: string,
  ) => SqliteDatabase;
}
