/**
 * A queue object's alarm: one per object, at the earliest time something becomes due (a
 * delayed job, a lease that ends, a schedule's tick). When it fires and something is due, the
 * object starts a drain through the Worker's `QUEUE_DRAIN` service binding, so a delayed or
 * scheduled job starts within about a second of its time and a crashed worker's job is retried
 * when its lease ends, not at the next cron minute. Without the binding there is no alarm (the
 * cron drains, as on every other store).
 */
import { errorCode } from "../../internal/error-log.js";
import type { SqliteClient } from "../sqlite/client.js";
import type { Tables } from "../sqlite/schema.js";
import type { DrainBinding, DurableObjectStorageLike } from "./platform.js";

/** While jobs stay due after a drain (a backlog, a busy Worker), drain again after this… */
export const REDRAIN_MS = 30_000;
/** …doubling while the same job stays the earliest due (held by a limit, say), up to this. */
export const MAX_REDRAIN_MS = 5 * 60_000;

/** What is due, read at the alarm. */
interface Due {
  /** The earliest due time of all (null: nothing at all). */
  first: number | null;
  /** The earliest due time after now (null: none). */
  next: number | null;
}

/**
 * The index the alarm reads queued jobs' run times by (this store's alone: only it has an
 * alarm), so each read is an index probe, not a scan of the backlog.
 */
const dueIndex = (t: Tables) =>
  `CREATE INDEX IF NOT EXISTS ${t.jobs}_due ON ${t.jobs} (run_at) WHERE state = 'queued'`;

/** The earliest due time of all and the earliest after `now`, in one batch. */
async function readDue(client: SqliteClient, t: Tables, now: number): Promise<Due> {
  const earliest = (later: boolean) => {
    const after = (column: string) => (later ? `AND ${column} > ?1` : "");
    return `SELECT MIN(at) AS at FROM (
      SELECT MIN(run_at) AS at FROM ${t.jobs} WHERE state = 'queued' ${after("run_at")}
      UNION ALL SELECT MIN(lease_until) FROM ${t.jobs}
        WHERE state = 'active' ${after("lease_until")}
      UNION ALL SELECT MIN(next_due) FROM ${t.schedules}
        WHERE next_due IS NOT NULL ${after("next_due")})`;
  };
  const [, first, next] = await client.batch([
    { sql: dueIndex(t), args: [] },
    { sql: earliest(false), args: [] },
    { sql: earliest(true), args: [now] },
  ]);
  const at = (rows: ArrayLike<Record<string, unknown>> | undefined) => {
    const value = rows?.[0]?.at;
    return value === null || value === undefined ? null : Number(value);
  };
  return { first: at(first?.rows), next: at(next?.rows) };
}

/** The alarm of one queue object. */
export class QueueAlarm {
  /** When the alarm is set for (null: none); read from storage once, when the object starts. */
  #at: number | null = null;
  /** The earliest due time the last drain was started for, and how often in a row. */
  #stuck = { at: Number.NaN, times: 0 };
  #warned = false;

  constructor(
    private readonly storage: DurableObjectStorageLike,
    private readonly drain: DrainBinding | undefined,
    private readonly warn: (line: string) => void = (line) => console.warn(line),
  ) {}

  /** Reads the alarm storage holds (call once, before the object serves). */
  async load(): Promise<void> {
    if (this.drain) this.#at = await this.storage.getAlarm();
  }

  /** Moves the alarm earlier if `time` is before it (no-op without a drain binding). */
  offer(time: number | null): void {
    if (!this.drain || time === null || (this.#at !== null && this.#at <= time)) return;
    this.#at = Math.max(time, Date.now());
    void this.storage.setAlarm(this.#at);
  }

  /**
   * The alarm fired: drain if anything is due, then set the alarm for what comes next (again
   * after {@link REDRAIN_MS}, backing off, while jobs stay due). A time offered while the drain
   * was starting is kept if it is earlier.
   */
  async fire(client: SqliteClient, tables: Tables): Promise<void> {
    this.#at = null;
    if (!this.drain) return;
    const now = Date.now();
    const due = await readDue(client, tables, now);
    const dueNow = due.first !== null && due.first <= now;
    let again: number | null = null;
    if (dueNow) {
      await this.#startDrain(this.drain);
      again = now + this.#redrainAfter(due.first as number);
    }
    this.offer(
      [due.next, again].reduce<number | null>(
        (a, b) => (b !== null && (a === null || b < a) ? b : a),
        null,
      ),
    );
  }

  /** Starts a drain; a failure is said once (with its code) and tried again at the next alarm. */
  async #startDrain(drain: DrainBinding): Promise<void> {
    try {
      await drain.drain();
    } catch (error) {
      if (this.#warned) return;
      this.#warned = true;
      this.warn(
        `jdobb-async-queue: DRAIN_FAILED (${errorCode(error)}): a queue object's alarm could not start a drain through QUEUE_DRAIN (check its service and entrypoint); the cron trigger still drains`,
      );
    }
  }

  /** The wait before draining again: doubles while the same job stays the earliest due. */
  #redrainAfter(first: number): number {
    this.#stuck =
      first === this.#stuck.at
        ? { at: first, times: this.#stuck.times + 1 }
        : { at: first, times: 0 };
    return Math.min(REDRAIN_MS * 2 ** this.#stuck.times, MAX_REDRAIN_MS);
  }
}
