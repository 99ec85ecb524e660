/**
 * A queue object's alarm: one per object, at the earliest time something becomes due (a
 * delayed job, a lease that ends, a schedule's tick). When it fires and something is due, the
 * object starts a drain through the Worker's `QUEUE_DRAIN` service binding, so a delayed or
 * scheduled job starts within about a second of its time and a crashed worker's job is retried
 * when its lease ends, not at the next cron minute. Without the binding there is no alarm (the
 * cron drains, as on every other store).
 */
import type { SqliteClient } from "../sqlite/client.js";
import type { Tables } from "../sqlite/schema.js";
import type { DrainBinding, DurableObjectStorageLike } from "./platform.js";

/** While jobs stay due after a drain (a backlog, a busy Worker), drain again this often. */
export const REDRAIN_MS = 30_000;

/** What is due, read at the alarm: anything due now, and the earliest time after now. */
interface Due {
  now: boolean;
  next: number | null;
}

/** The earliest due time after `now`, and whether anything is due at `now`. */
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
  const [due, next] = await client.batch([
    { sql: earliest(false), args: [] },
    { sql: earliest(true), args: [now] },
  ]);
  const at = (rows: ArrayLike<Record<string, unknown>> | undefined) => {
    const value = rows?.[0]?.at;
    return value === null || value === undefined ? null : Number(value);
  };
  const first = at(due?.rows);
  return { now: first !== null && first <= now, next: at(next?.rows) };
}

/** The alarm of one queue object. */
export class QueueAlarm {
  /** When the alarm is set for (null: none); read from storage once, when the object starts. */
  #at: number | null = null;

  constructor(
    private readonly storage: DurableObjectStorageLike,
    private readonly drain: DrainBinding | undefined,
  ) {}

  /** Reads the alarm storage holds (call once, before the object serves). */
  async load(): Promise<void> {
    if (this.drain) this.#at = await this.storage.getAlarm();
  }

  /** Moves the alarm earlier if `time` is before it (no-op without a drain binding). */
  offer(time: number | null): void {
    if (!this.drain || time === null || (this.#at !== null && this.#at <= time)) return;
    this.#set(time);
  }

  #set(time: number): void {
    this.#at = Math.max(time, Date.now());
    void this.storage.setAlarm(this.#at);
  }

  /**
   * The alarm fired: drain if anything is due, then set the alarm for what comes next (again
   * in {@link REDRAIN_MS} while jobs stay due), or clear it.
   */
  async fire(client: SqliteClient, tables: Tables): Promise<void> {
    this.#at = null;
    if (!this.drain) return;
    const now = Date.now();
    const due = await readDue(client, tables, now);
    // A drain that could not start is tried again below, like one that left jobs due.
    if (due.now) await this.drain.drain().catch(() => {});
    const again = due.now ? now + REDRAIN_MS : null;
    const next = [due.next, again].filter((t): t is number => t !== null);
    if (next.length > 0) this.#set(Math.min(...next));
  }
}
