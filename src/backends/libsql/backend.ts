import type {
  Backend,
  BackendCapabilities,
  CancelInput,
  CancelOutcome,
  ClaimInput,
  CompleteInput,
  EnqueueInput,
  EnqueueOutcome,
  EventRecord,
  FailInput,
  FencedInput,
  JobInput,
  JobRecord,
  ListInput,
  ListOutcome,
  PurgeInput,
  QueueScope,
  ReadEventsInput,
  RetryOutcome,
  UpdateInput,
} from "../../backend.js";
import { JOB_STATES, type JobCounts } from "../../job.js";
import type { LibsqlClientLike, SqlResult, SqlValue, Statement } from "./client.js";
import { byClaimOrder, toEventRecord, toJobRecord } from "./rows.js";
import { migrate, type Tables, tablesFor } from "./schema.js";

const sql = (text: string, ...args: SqlValue[]): Statement => ({ sql: text, args });
/** Rows past their retention are invisible even before they are deleted. */
const LIVE = "(expires_at IS NULL OR expires_at > ?)";
/** Expired rows deleted per enqueue, so cleanup never stalls a write. */
const CLEANUP_BATCH = 500;

/** Settings resolved by the factory. */
export interface LibsqlBackendSettings {
  /** Resolves the client (the factory may create it lazily). */
  client: () => Promise<LibsqlClientLike>;
  /** Whether `close()` should close the client (only if the backend created it). */
  ownsClient: boolean;
  prefix: string;
  capabilities: BackendCapabilities;
  name: string;
}

/** The libSQL / SQLite implementation of the {@link Backend} contract. */
export class LibsqlBackend implements Backend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  readonly #t: Tables;
  #ready: Promise<LibsqlClientLike> | null = null;

  constructor(private readonly settings: LibsqlBackendSettings) {
    this.name = settings.name;
    this.capabilities = settings.capabilities;
    this.#t = tablesFor(settings.prefix);
  }

  /** Connects and migrates once; a failure is retried on the next call. */
  #client(): Promise<LibsqlClientLike> {
    this.#ready ??= (async () => {
      const client = await this.settings.client();
      await migrate(client, this.#t);
      return client;
    })().catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  async #execute(statement: Statement): Promise<SqlResult> {
    return (await this.#client()).execute(statement);
  }

  async #write(statements: Statement[]): Promise<SqlResult[]> {
    return (await this.#client()).batch(statements, "write");
  }

  async enqueue({ queue, now, jobs }: EnqueueInput): Promise<EnqueueOutcome[]> {
    const { jobs: table } = this.#t;
    const keys = jobs.map((job) => job.idempotencyKey).filter((key) => key !== null);
    const results = await this.#write([
      // Retention: drop a bounded batch of expired jobs, and always any expired holder of a
      // key we are about to insert (an expired job must not capture a new enqueue).
      sql(
        `DELETE FROM ${table} WHERE pos IN (SELECT pos FROM ${table}
          WHERE queue = ? AND expires_at <= ? LIMIT ${CLEANUP_BATCH})
          OR (queue = ? AND expires_at <= ? AND idempotency_key IN (${keys.map(() => "?").join(", ")}))`,
        queue,
        now,
        queue,
        now,
        ...keys,
      ),
      ...jobs.map((job) =>
        sql(
          `INSERT INTO ${table} (id, queue, type, payload, state, priority, max_attempts, run_at,
            created_at, updated_at, backoff, idempotency_key)
           VALUES (?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (queue, idempotency_key) DO NOTHING RETURNING id`,
          job.id,
          queue,
          job.type,
          job.payload,
          job.priority,
          job.maxAttempts,
          job.runAt,
          now,
          now,
          job.backoff,
          job.idempotencyKey,
        ),
      ),
      ...(keys.length === 0
        ? []
        : [
            sql(
              `SELECT idempotency_key, id FROM ${table}
                WHERE queue = ? AND idempotency_key IN (${keys.map(() => "?").join(", ")})`,
              queue,
              ...keys,
            ),
          ]),
    ]);
    const existing = new Map<string, string>();
    for (const row of Array.from(keys.length > 0 ? (results.at(-1)?.rows ?? []) : [])) {
      existing.set(String(row.idempotency_key), String(row.id));
    }
    return jobs.map((job, i) => {
      const created = (results[i + 1]?.rows.length ?? 0) > 0;
      const id = created ? job.id : (existing.get(job.idempotencyKey ?? "") ?? job.id);
      return { id, created };
    });
  }

  async claim(input: ClaimInput): Promise<JobRecord[]> {
    const { jobs: t } = this.#t;
    const { queue, now, limit } = input;
    const [, claimed] = await this.#write([
      // Expired leases with no attempts left are dead-lettered instead of run again.
      sql(
        `UPDATE ${t} SET state = 'failed', error = ?, token = NULL, lease_until = NULL,
          expires_at = ?, updated_at = ?, seq = seq + 1, event = 'failed'
         WHERE queue = ? AND state = 'active' AND lease_until <= ? AND attempts >= max_attempts`,
        input.expiredError,
        input.failedExpiresAt,
        now,
        queue,
        now,
      ),
      // Two index-ordered candidate lists (ready, expired) merged and cut to `limit`.
      sql(
        `UPDATE ${t} SET state = 'active', token = ?, lease_until = ?, attempts = attempts + 1,
          updated_at = ?, seq = seq + 1, event = 'active'
         WHERE pos IN (SELECT pos FROM (
           SELECT * FROM (SELECT pos, priority, run_at FROM ${t}
             WHERE queue = ? AND state = 'queued' AND run_at <= ?
             ORDER BY priority DESC, run_at, pos LIMIT ?)
           UNION ALL
           SELECT * FROM (SELECT pos, priority, run_at FROM ${t}
             WHERE queue = ? AND state = 'active' AND lease_until <= ?
             ORDER BY priority DESC, run_at, pos LIMIT ?)
         ) ORDER BY priority DESC, run_at, pos LIMIT ?)
         RETURNING *`,
        input.token,
        input.leaseUntil,
        now,
        queue,
        now,
        limit,
        queue,
        now,
        limit,
        limit,
      ),
    ]);
    return Array.from(claimed?.rows ?? [])
      .sort(byClaimOrder)
      .map(toJobRecord);
  }

  /** Runs one fenced UPDATE: it applies only while the job is active under `token`. */
  async #fenced(input: FencedInput, set: string, ...args: SqlValue[]): Promise<boolean> {
    const result = await this.#execute(
      sql(
        `UPDATE ${this.#t.jobs} SET ${set}
         WHERE id = ? AND queue = ? AND state = 'active' AND token = ? RETURNING pos`,
        ...args,
        input.id,
        input.queue,
        input.token,
      ),
    );
    return result.rows.length > 0;
  }

  update(input: UpdateInput): Promise<boolean> {
    const sets: string[] = ["lease_until = ?"];
    const args: SqlValue[] = [input.leaseUntil];
    for (const [column, value] of [
      ["progress", input.progress],
      ["message", input.message],
      ["data", input.data],
    ] as const) {
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      args.push(value);
    }
    if (sets.length > 1) sets.push("updated_at = ?", "seq = seq + 1", "event = 'progress'");
    if (sets.length > 1) args.push(input.now);
    return this.#fenced(input, sets.join(", "), ...args);
  }

  complete(input: CompleteInput): Promise<boolean> {
    return this.#fenced(
      input,
      `state = 'completed', result = ?, error = NULL, progress = 1, token = NULL, lease_until = NULL,
       expires_at = ?, updated_at = ?, seq = seq + 1, event = 'completed'`,
      input.result,
      input.expiresAt,
      input.now,
    );
  }

  fail(input: FailInput): Promise<boolean> {
    if (input.retryAt === null) {
      return this.#fenced(
        input,
        `state = 'failed', error = ?, token = NULL, lease_until = NULL, expires_at = ?,
         updated_at = ?, seq = seq + 1, event = 'failed'`,
        input.error,
        input.expiresAt,
        input.now,
      );
    }
    return this.#fenced(
      input,
      `state = 'queued', error = ?, run_at = ?, token = NULL, lease_until = NULL,
       updated_at = ?, seq = seq + 1, event = 'retry-scheduled'`,
      input.error,
      input.retryAt,
      input.now,
    );
  }

  release(input: FencedInput): Promise<boolean> {
    return this.#fenced(
      input,
      `state = 'queued', attempts = attempts - 1, token = NULL, lease_until = NULL,
       updated_at = ?, seq = seq + 1, event = 'released'`,
      input.now,
    );
  }

  /** A conditional update plus a read of the state, in one round trip. */
  async #transition(input: JobInput, update: Statement): Promise<string | null> {
    const [changed, current] = await this.#write([
      update,
      sql(
        `SELECT state FROM ${this.#t.jobs} WHERE id = ? AND queue = ? AND ${LIVE}`,
        input.id,
        input.queue,
        input.now,
      ),
    ]);
    if ((changed?.rows.length ?? 0) > 0) return "changed";
    const row = current?.rows[0];
    return row ? String(row.state) : null;
  }

  async cancel(input: CancelInput): Promise<CancelOutcome> {
    const outcome = await this.#transition(
      input,
      sql(
        `UPDATE ${this.#t.jobs} SET state = 'cancelled', token = NULL, lease_until = NULL,
          expires_at = ?, updated_at = ?, seq = seq + 1, event = 'cancelled'
         WHERE id = ? AND queue = ? AND state IN ('queued', 'active') RETURNING pos`,
        input.expiresAt,
        input.now,
        input.id,
        input.queue,
      ),
    );
    if (outcome === "changed") return "cancelled";
    return outcome === null ? "not-found" : "already-finished";
  }

  async retry(input: JobInput): Promise<RetryOutcome> {
    const outcome = await this.#transition(
      input,
      sql(
        `UPDATE ${this.#t.jobs} SET state = 'queued', attempts = 0, run_at = ?, result = NULL,
          expires_at = NULL, updated_at = ?, seq = seq + 1, event = 'redriven'
         WHERE id = ? AND queue = ? AND state = 'failed' AND ${LIVE} RETURNING pos`,
        input.now,
        input.now,
        input.id,
        input.queue,
        input.now,
      ),
    );
    if (outcome === "changed") return "redriven";
    return outcome === null ? "not-found" : "not-failed";
  }

  async get(input: JobInput): Promise<JobRecord | null> {
    const result = await this.#execute(
      sql(
        `SELECT * FROM ${this.#t.jobs} WHERE id = ? AND queue = ? AND ${LIVE}`,
        input.id,
        input.queue,
        input.now,
      ),
    );
    const row = result.rows[0];
    return row ? toJobRecord(row) : null;
  }

  async readEvents(input: ReadEventsInput): Promise<EventRecord[]> {
    const { jobs, events } = this.#t;
    const result = await this.#execute(
      sql(
        `SELECT e.* FROM ${events} e JOIN ${jobs} j ON j.id = e.job_id
         WHERE j.id = ? AND j.queue = ? AND (j.expires_at IS NULL OR j.expires_at > ?)
           AND e.seq > ? ORDER BY e.seq LIMIT ?`,
        input.id,
        input.queue,
        input.now,
        input.after,
        input.limit,
      ),
    );
    return Array.from(result.rows).map(toEventRecord);
  }

  async list(input: ListInput): Promise<ListOutcome> {
    const after = Number(input.cursor ?? 0) || 0;
    const byState = input.state ? "AND state = ?" : "";
    const result = await this.#execute(
      sql(
        `SELECT * FROM ${this.#t.jobs} WHERE queue = ? AND ${LIVE} ${byState} AND pos > ?
         ORDER BY pos LIMIT ?`,
        input.queue,
        input.now,
        ...(input.state ? [input.state] : []),
        after,
        input.limit + 1,
      ),
    );
    const rows = Array.from(result.rows);
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    return {
      jobs: page.map(toJobRecord),
      cursor: rows.length > input.limit && last ? String(last.pos) : null,
    };
  }

  async stats(input: QueueScope): Promise<JobCounts> {
    const result = await this.#execute(
      sql(
        `SELECT state, COUNT(*) AS n FROM ${this.#t.jobs} WHERE queue = ? AND ${LIVE}
         GROUP BY state`,
        input.queue,
        input.now,
      ),
    );
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as JobCounts;
    for (const row of Array.from(result.rows)) counts[row.state as keyof JobCounts] = Number(row.n);
    return counts;
  }

  async purge(input: PurgeInput): Promise<number> {
    const states = input.states ?? [...JOB_STATES];
    if (states.length === 0) return 0;
    const result = await this.#execute(
      sql(
        `DELETE FROM ${this.#t.jobs} WHERE queue = ? AND state IN (${states.map(() => "?").join(", ")})`,
        input.queue,
        ...states,
      ),
    );
    return result.rowsAffected;
  }

  async close(): Promise<void> {
    const ready = this.#ready;
    this.#ready = null;
    if (ready && this.settings.ownsClient) (await ready.catch(() => null))?.close();
  }
}
