/**
 * Statements that add, read and remove jobs. Lists travel as one JSON parameter read with
 * `json_each`, so each statement binds a fixed number of values whatever the input's size.
 *
 * Events are not written here: triggers append one whenever `seq` is incremented, so a
 * statement that changes a job's public state sets `seq = seq + 1` and `event = '<type>'`
 * (see statements-writes.ts). The claim is in statements-claim.ts, schedules in
 * statements-schedules.ts, limits in statements-limits.ts.
 */
import type { JobInput, ListInput, NewJobRecord, ReadEventsInput } from "../../backend.js";
import type { JobState } from "../../job.js";
import type { SqlStatement } from "./client.js";
import { IDLE_LANE } from "./migrations-v3.js";
import type { Tables } from "./schema.js";
import { jsonList, SqlTexts } from "./sql-text.js";

/** Rows past their retention are invisible even before they are deleted. */
export const LIVE = "(expires_at IS NULL OR expires_at > :now)";
const FINISHED = "('completed', 'failed', 'cancelled')";
/** Expired jobs deleted per enqueue, so cleanup never stalls a write. */
const CLEANUP_BATCH = 500;

/** Statements that add, read and remove jobs, for one set of tables. */
export class JobStatements {
  readonly #texts = new SqlTexts();

  constructor(private readonly t: Tables) {}

  /** Retention cleanup, plus any expired holder of a key about to be inserted. */
  cleanup(queue: string, now: number, keys: readonly string[]): SqlStatement {
    const { jobs } = this.t;
    const text = () => `DELETE FROM ${jobs} WHERE pos IN (SELECT pos FROM ${jobs}
         WHERE queue = :queue AND state IN ${FINISHED} AND expires_at <= :now
         LIMIT ${CLEANUP_BATCH})
       OR (queue = :queue AND idempotency_key IN (SELECT value FROM json_each(:keys))
         AND expires_at <= :now)`;
    return this.#texts.statement("cleanup", text, { queue, now, keys: jsonList(keys) });
  }

  /**
   * Inserts one job unless its idempotency key is taken; returns its id if inserted. A re-sent
   * insert (the id exists with the same queue, type and payload) returns the id again and
   * changes nothing: the no-op update touches no column a trigger watches. An id that exists
   * with other content sets it to NULL, which fails the whole batch before it commits.
   */
  insert(queue: string, now: number, job: NewJobRecord): SqlStatement {
    const text = () => `INSERT INTO ${this.t.jobs} (id, queue, type, payload, state, priority,
         max_attempts, run_at, created_at, updated_at, backoff, idempotency_key, concurrency_key)
       VALUES (:id, :queue, :type, :payload, 'queued', :priority, :maxAttempts,
         :runAt, :now, :now, :backoff, :idempotencyKey, :concurrencyKey)
       ON CONFLICT (id) DO UPDATE SET id = IIF(queue = excluded.queue AND type = excluded.type
         AND payload = excluded.payload, excluded.id, NULL)
       ON CONFLICT (queue, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id`;
    return this.#texts.statement("insert", text, { ...job, queue, now });
  }

  /** The ids holding the given idempotency keys. */
  keyHolders(queue: string, keys: readonly string[]): SqlStatement {
    const text = () => `SELECT idempotency_key, id FROM ${this.t.jobs}
       WHERE queue = :queue AND idempotency_key IN (SELECT value FROM json_each(:keys))`;
    return this.#texts.statement("holders", text, { queue, keys: jsonList(keys) });
  }

  /** A live job's columns (all, or the listed ones). */
  get(input: JobInput, columns = "*"): SqlStatement {
    const { id, queue, now } = input;
    const text = () =>
      `SELECT ${columns} FROM ${this.t.jobs} WHERE id = :id AND queue = :queue AND ${LIVE}`;
    return this.#texts.statement(`get:${columns}`, text, { id, queue, now });
  }

  readEvents(input: ReadEventsInput): SqlStatement {
    const { id, queue, now, after, limit } = input;
    const text = () => `SELECT e.* FROM ${this.t.events} e JOIN ${this.t.jobs} j ON j.id = e.job_id
       WHERE j.id = :id AND j.queue = :queue AND (j.expires_at IS NULL OR j.expires_at > :now)
         AND e.seq > :after ORDER BY e.seq LIMIT :limit`;
    return this.#texts.statement("events", text, { id, queue, now, after, limit });
  }

  /** One page in insertion order; asks for one extra row to know whether more follow. */
  list(input: ListInput, after: number): SqlStatement {
    const { queue, now, limit } = input;
    const text = () => `SELECT * FROM ${this.t.jobs}
       WHERE queue = :queue AND ${LIVE} AND (:state IS NULL OR state = :state) AND pos > :after
       ORDER BY pos LIMIT :limit`;
    const state = input.state ?? null;
    return this.#texts.statement("list", text, { queue, now, state, after, limit: limit + 1 });
  }

  /** Counts per state, each from the partial index that holds that state. */
  stats(queue: string, now: number): SqlStatement {
    const { jobs } = this.t;
    const live = (state: string) =>
      `(SELECT COUNT(*) FROM ${jobs} WHERE queue = :queue AND state = '${state}'
        AND expires_at > :now) AS ${state}`;
    const text = () => `SELECT
         (SELECT COUNT(*) FROM ${jobs} WHERE queue = :queue AND state = 'queued') AS queued,
         (SELECT COUNT(*) FROM ${jobs} WHERE queue = :queue AND state = 'active') AS active,
         ${live("completed")}, ${live("failed")}, ${live("cancelled")}`;
    return this.#texts.statement("stats", text, { queue, now });
  }

  /**
   * Counts the queue's live jobs in `states` (those past their retention are gone already),
   * for the batch's {@link JobStatements.purge} to follow.
   */
  purgeable(queue: string, now: number, states: readonly JobState[]): SqlStatement {
    const text = () => `SELECT COUNT(*) AS n FROM ${this.t.jobs}
       WHERE queue = :queue AND state IN (SELECT value FROM json_each(:states)) AND ${LIVE}`;
    return this.#texts.statement("purgeable", text, { queue, now, states: jsonList(states) });
  }

  /** Deletes the queue's lane rows that hold nothing once its jobs are purged. */
  reclaimLanes(queue: string, now: number): SqlStatement {
    const { lanes } = this.t;
    const text = () => `DELETE FROM ${lanes} WHERE queue = :queue AND key <> ''
       AND ${IDLE_LANE(this.t, ":now")}`;
    return this.#texts.statement("reclaimLanes", text, { queue, now });
  }

  /** Deletes the queue's jobs in `states`, expired ones included. */
  purge(queue: string, states: readonly JobState[]): SqlStatement {
    const text = () => `DELETE FROM ${this.t.jobs}
       WHERE queue = :queue AND state IN (SELECT value FROM json_each(:states))`;
    return this.#texts.statement("purge", text, { queue, states: jsonList(states) });
  }
}
