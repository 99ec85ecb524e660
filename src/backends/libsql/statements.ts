/**
 * Every SQL statement the libSQL backend runs, built for one set of table names.
 * Named arguments (`:queue`, `:now` …) keep each statement readable on its own.
 *
 * Events are not written here: triggers append one whenever `seq` is incremented, so a
 * statement that changes a job's public state sets `seq = seq + 1` and `event = '<type>'`.
 * Lane heads follow keyed jobs by trigger too, and a key's active jobs are counted from an
 * index, so every way out of `active` (finish, release, cancel, expiry, purge) frees its slot.
 *
 * The claim is in statements-claim.ts, schedules in statements-schedules.ts, key overrides in
 * statements-keys.ts.
 */
import type {
  CancelInput,
  ClaimInput,
  FencedInput,
  JobInput,
  ListInput,
  NewJobRecord,
  ReadEventsInput,
  RequestedChangeInput,
  UpdateInput,
} from "../../backend.js";
import type { JobState } from "../../job.js";
import type { SqlValue, Statement } from "./client.js";
import type { Tables } from "./schema.js";

/** Rows past their retention are invisible even before they are deleted. */
const LIVE = "(expires_at IS NULL OR expires_at > :now)";
const FINISHED = "('completed', 'failed', 'cancelled')";
/** Expired jobs deleted per enqueue, so cleanup never stalls a write. */
const CLEANUP_BATCH = 500;

const sql = (text: string, args: Record<string, SqlValue>): Statement => ({ sql: text, args });

/** `:k0, :k1, …` placeholders and their arguments for an IN list. */
function inList(prefix: string, values: readonly string[]) {
  const names = values.map((_, i) => `${prefix}${i}`);
  const args = Object.fromEntries(names.map((name, i) => [name, values[i] ?? null]));
  return { list: names.map((name) => `:${name}`).join(", ") || "NULL", args };
}

export class Statements {
  constructor(private readonly t: Tables) {}

  /** Retention cleanup, plus any expired holder of a key about to be inserted. */
  cleanup(queue: string, now: number, keys: readonly string[]): Statement {
    const { jobs } = this.t;
    const held = inList("k", keys);
    return sql(
      `DELETE FROM ${jobs} WHERE pos IN (SELECT pos FROM ${jobs}
         WHERE queue = :queue AND state IN ${FINISHED} AND expires_at <= :now
         LIMIT ${CLEANUP_BATCH})
       OR (queue = :queue AND idempotency_key IN (${held.list}) AND expires_at <= :now)`,
      { queue, now, ...held.args },
    );
  }

  /**
   * Inserts one job unless its idempotency key is taken; returns its id if inserted. A re-sent
   * insert (the id exists with the same queue, type and payload) returns the id again and
   * changes nothing: the no-op update touches no column a trigger watches. An id that exists
   * with other content sets it to NULL, which fails the whole batch before it commits.
   */
  insert(queue: string, now: number, job: NewJobRecord): Statement {
    return sql(
      `INSERT INTO ${this.t.jobs} (id, queue, type, payload, state, priority, max_attempts,
         run_at, created_at, updated_at, backoff, idempotency_key, concurrency_key)
       VALUES (:id, :queue, :type, :payload, 'queued', :priority, :maxAttempts,
         :runAt, :now, :now, :backoff, :idempotencyKey, :concurrencyKey)
       ON CONFLICT (id) DO UPDATE SET id = IIF(queue = excluded.queue AND type = excluded.type
         AND payload = excluded.payload, excluded.id, NULL)
       ON CONFLICT (queue, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
       RETURNING id`,
      { ...job, queue, now },
    );
  }

  /** The ids holding the given idempotency keys. */
  keyHolders(queue: string, keys: readonly string[]): Statement {
    const held = inList("k", keys);
    return sql(
      `SELECT idempotency_key, id FROM ${this.t.jobs}
       WHERE queue = :queue AND idempotency_key IN (${held.list})`,
      { queue, ...held.args },
    );
  }

  /**
   * Expired leases, in one statement: a job with attempts left goes back to `queued` (event
   * `lease-expired`), keeping its priority and run time, so the claim that follows picks it
   * in the usual order; one with none left is dead-lettered (`failed`, with the claim's error
   * and retention). The stale holder's token is cleared: its writes are fenced from here on.
   */
  expireLeases(input: ClaimInput): Statement {
    const { queue, now, expiredError: error, failedExpiresAt: expiresAt } = input;
    const spent = "attempts >= max_attempts";
    return sql(
      `UPDATE ${this.t.jobs} SET state = IIF(${spent}, 'failed', 'queued'),
         error = IIF(${spent}, :error, error), expires_at = IIF(${spent}, :expiresAt, expires_at),
         token = NULL, lease_until = NULL, updated_at = :now, seq = seq + 1,
         event = IIF(${spent}, 'failed', 'lease-expired')
       WHERE queue = :queue AND state = 'active' AND lease_until <= :now`,
      { queue, now, error, expiresAt },
    );
  }

  /**
   * Extends the lease and applies a progress patch, while the job is active under the
   * caller's token. A `progress` event is logged only when something changed, so a re-sent
   * call (same lease end, same values) logs nothing twice.
   */
  progress(input: UpdateInput): Statement {
    const { leaseUntil, progress, message, data } = input;
    const patch = Object.entries({ progress, message, data }).filter(([, v]) => v !== undefined);
    const sets = ["lease_until = :leaseUntil"];
    if (patch.length > 0) {
      const changed = ["lease_until IS NOT :leaseUntil"];
      for (const [column] of patch) {
        sets.push(`${column} = :${column}`);
        changed.push(`${column} IS NOT :${column}`);
      }
      sets.push(`updated_at = :now, seq = seq + (${changed.join(" OR ")}), event = 'progress'`);
    }
    const { id, queue, token, now } = input;
    return sql(
      `UPDATE ${this.t.jobs} SET ${sets.join(", ")}
       WHERE id = :id AND queue = :queue AND state = 'active' AND token = :token RETURNING pos`,
      { leaseUntil, ...Object.fromEntries(patch), id, queue, token, now },
    );
  }

  /**
   * A fenced final write: applies `set` and logs `event` only while the job is active under
   * the caller's token. The token stays on the row, so a re-sent call (same token, same `now`)
   * finds the change it already made — same event, same time — and returns the row again
   * without logging twice (`seq` moves only for an active job).
   */
  finish(
    input: FencedInput,
    event: string,
    set: string,
    args: Record<string, SqlValue>,
  ): Statement {
    const { id, queue, token, now } = input;
    return sql(
      `UPDATE ${this.t.jobs} SET ${set}, updated_at = :now, seq = seq + (state = 'active'),
         event = :event
       WHERE id = :id AND queue = :queue AND token = :token
         AND (state = 'active' OR (event = :event AND updated_at = :now))
       RETURNING pos`,
      { ...args, id, queue, token, now, event },
    );
  }

  /**
   * Completes several claimed jobs in one set-based statement, each fenced by its own token
   * (and safe to re-send, as {@link Statements.finish}); returns the ids it completed. The
   * text depends only on how many there are, so prepared statements are reused per size.
   */
  completeMany(
    scope: { queue: string; now: number },
    items: ReadonlyArray<{ id: string; token: string; result: string; expiresAt: number }>,
  ): Statement {
    const { jobs } = this.t;
    const args: Record<string, SqlValue> = { queue: scope.queue, now: scope.now };
    const rows = items.map((item, i) => {
      Object.assign(args, {
        [`i${i}`]: item.id,
        [`t${i}`]: item.token,
        [`r${i}`]: item.result,
        [`e${i}`]: item.expiresAt,
      });
      return `(:i${i}, :t${i}, :r${i}, :e${i})`;
    });
    return sql(
      `WITH done(id, token, result, expires_at) AS (VALUES ${rows.join(", ")})
       UPDATE ${jobs} SET state = 'completed', result = done.result, error = NULL, progress = 1,
         lease_until = NULL, expires_at = done.expires_at, updated_at = :now,
         seq = ${jobs}.seq + (${jobs}.state = 'active'), event = 'completed'
       FROM done
       WHERE ${jobs}.id = done.id AND ${jobs}.queue = :queue AND ${jobs}.token = done.token
         AND (${jobs}.state = 'active' OR (${jobs}.event = 'completed' AND ${jobs}.updated_at = :now))
       RETURNING ${jobs}.id`,
      args,
    );
  }

  /** Cancels a queued or active job; `token` takes the call's id, so a re-send knows its own. */
  cancel(input: CancelInput): Statement {
    const { id, queue, now, expiresAt, callId } = input;
    return sql(
      `UPDATE ${this.t.jobs} SET state = 'cancelled', token = :callId, lease_until = NULL,
         expires_at = :expiresAt, updated_at = :now, seq = seq + 1, event = 'cancelled'
       WHERE id = :id AND queue = :queue AND state IN ('queued', 'active') AND ${LIVE}
       RETURNING pos`,
      { id, queue, now, expiresAt, callId },
    );
  }

  /**
   * Redrives a failed job; `token` takes the call's id until a claim replaces it, and
   * `redriven_by` keeps it after that.
   */
  redrive(input: RequestedChangeInput): Statement {
    const { id, queue, now, callId } = input;
    return sql(
      `UPDATE ${this.t.jobs} SET state = 'queued', attempts = 0, run_at = :now, result = NULL,
         token = :callId, redriven_by = :callId, expires_at = NULL, updated_at = :now,
         seq = seq + 1, event = 'redriven'
       WHERE id = :id AND queue = :queue AND state = 'failed' AND ${LIVE} RETURNING pos`,
      { id, queue, now, callId },
    );
  }

  get(input: JobInput, columns = "*"): Statement {
    const { id, queue, now } = input;
    return sql(
      `SELECT ${columns} FROM ${this.t.jobs} WHERE id = :id AND queue = :queue AND ${LIVE}`,
      {
        id,
        queue,
        now,
      },
    );
  }

  readEvents(input: ReadEventsInput): Statement {
    const { id, queue, now, after, limit } = input;
    return sql(
      `SELECT e.* FROM ${this.t.events} e JOIN ${this.t.jobs} j ON j.id = e.job_id
       WHERE j.id = :id AND j.queue = :queue AND (j.expires_at IS NULL OR j.expires_at > :now)
         AND e.seq > :after ORDER BY e.seq LIMIT :limit`,
      { id, queue, now, after, limit },
    );
  }

  /** One page in insertion order; asks for one extra row to know whether more follow. */
  list(input: ListInput, after: number): Statement {
    const { queue, now, limit } = input;
    const state = input.state ?? null;
    return sql(
      `SELECT * FROM ${this.t.jobs}
       WHERE queue = :queue AND ${LIVE} AND (:state IS NULL OR state = :state) AND pos > :after
       ORDER BY pos LIMIT :limit`,
      { queue, now, state, after, limit: limit + 1 },
    );
  }

  /** Counts per state, each from the partial index that holds that state. */
  stats(queue: string, now: number): Statement {
    const { jobs } = this.t;
    const live = (state: string) =>
      `(SELECT COUNT(*) FROM ${jobs} WHERE queue = :queue AND state = '${state}'
        AND expires_at > :now) AS ${state}`;
    return sql(
      `SELECT
         (SELECT COUNT(*) FROM ${jobs} WHERE queue = :queue AND state = 'queued') AS queued,
         (SELECT COUNT(*) FROM ${jobs} WHERE queue = :queue AND state = 'active') AS active,
         ${live("completed")}, ${live("failed")}, ${live("cancelled")}`,
      { queue, now },
    );
  }

  purge(queue: string, states: readonly JobState[]): Statement {
    const chosen = inList("s", states);
    return sql(`DELETE FROM ${this.t.jobs} WHERE queue = :queue AND state IN (${chosen.list})`, {
      queue,
      ...chosen.args,
    });
  }
}
