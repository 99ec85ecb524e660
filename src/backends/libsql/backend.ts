import type * as contract from "../../backend.js";
import { BackendUnavailableError } from "../../errors.js";
import { JOB_STATES, type JobCounts } from "../../job.js";
import type { LibsqlClientLike, SqlResult, SqlValue, Statement } from "./client.js";
import { byClaimOrder, toEventRecord, toJobRecord } from "./rows.js";
import { migrate, tablesFor } from "./schema.js";
import { Statements } from "./statements.js";

/** Settings resolved by the factory. */
export interface LibsqlBackendSettings {
  /** Resolves the client (the factory may create it lazily). */
  client: () => Promise<LibsqlClientLike>;
  /** Whether `close()` should close the client (only if the backend created it). */
  ownsClient: boolean;
  prefix: string;
  capabilities: contract.BackendCapabilities;
  name: string;
}

/** Store errors worth retrying later: unreachable, overloaded, or locked. */
function isUnavailable(error: unknown): boolean {
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  if (name === "TypeError" && /fetch/i.test(message ?? "")) return true;
  return ["SERVER_ERROR", "SQLITE_BUSY", "SQLITE_LOCKED", "HRANA_WEBSOCKET_ERROR"].includes(
    code ?? "",
  );
}

/** The libSQL / SQLite implementation of the {@link contract.Backend} contract. */
export class LibsqlBackend implements contract.Backend {
  readonly name: string;
  readonly capabilities: contract.BackendCapabilities;
  readonly #sql: Statements;
  #ready: Promise<LibsqlClientLike> | null = null;

  constructor(private readonly settings: LibsqlBackendSettings) {
    this.name = settings.name;
    this.capabilities = settings.capabilities;
    this.#sql = new Statements(tablesFor(settings.prefix));
  }

  /** Creates the client once; a failure is retried on the next call. */
  #client(): Promise<LibsqlClientLike> {
    this.#ready ??= this.settings.client().catch((error: unknown) => {
      this.#ready = null;
      throw error;
    });
    return this.#ready;
  }

  /** Creates or upgrades the schema (idempotent, safe to race). */
  async init(): Promise<void> {
    await this.#run((client) => migrate(client, tablesFor(this.settings.prefix)));
  }

  /**
   * Runs one operation. The schema is migrated lazily: an operation that finds a table or
   * column missing migrates and runs again, so a warm store costs no extra round trip (a
   * cold serverless start included). Batches are atomic, so the failed try changed nothing.
   */
  async #run<T>(op: (client: LibsqlClientLike) => Promise<T>): Promise<T> {
    try {
      const client = await this.#client();
      try {
        return await op(client);
      } catch (error) {
        if (!/no such (table|column)/i.test(String((error as Error)?.message))) throw error;
        await migrate(client, tablesFor(this.settings.prefix));
        return await op(client);
      }
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      throw new BackendUnavailableError(`${this.name}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  #execute(statement: Statement): Promise<SqlResult> {
    return this.#run((client) => client.execute(statement));
  }

  #write(statements: Statement[]): Promise<SqlResult[]> {
    return this.#run((client) => client.batch(statements, "write"));
  }

  async enqueue({ queue, now, jobs }: contract.EnqueueInput): Promise<contract.EnqueueOutcome[]> {
    const keys = jobs.map((job) => job.idempotencyKey).filter((key) => key !== null);
    const [, ...results] = await this.#write([
      this.#sql.cleanup(queue, now, keys),
      ...jobs.map((job) => this.#sql.insert(queue, now, job)),
      ...(keys.length > 0 ? [this.#sql.keyHolders(queue, keys)] : []),
    ]);
    const holders = new Map<string, string>();
    for (const row of Array.from(keys.length > 0 ? (results.at(-1)?.rows ?? []) : [])) {
      holders.set(String(row.idempotency_key), String(row.id));
    }
    return jobs.map((job, i) => {
      const created = (results[i]?.rows.length ?? 0) > 0;
      return { id: created ? job.id : (holders.get(job.idempotencyKey ?? "") ?? job.id), created };
    });
  }

  async claim(input: contract.ClaimInput): Promise<contract.JobRecord[]> {
    const [, , claimed] = await this.#write(this.#claimSteps(input));
    return Array.from(claimed?.rows ?? [])
      .sort(byClaimOrder)
      .map(toJobRecord);
  }

  /** Expired leases: dead-letter the exhausted, requeue the rest; then claim. */
  #claimSteps(input: contract.ClaimInput): Statement[] {
    return [
      this.#sql.deadLetterExpired(input),
      this.#sql.requeueExpired(input),
      this.#sql.claim(input),
    ];
  }

  async #fenced(
    input: contract.FencedInput,
    set: string,
    args: Record<string, SqlValue>,
  ): Promise<boolean> {
    const result = await this.#execute(this.#sql.fenced(input, set, args));
    return result.rows.length > 0;
  }

  update(input: contract.UpdateInput): Promise<boolean> {
    const { leaseUntil, progress, message, data } = input;
    const patch = Object.entries({ progress, message, data }).filter(([, v]) => v !== undefined);
    const sets = [
      "lease_until = :leaseUntil",
      ...patch.map(([column]) => `${column} = :${column}`),
    ];
    if (patch.length > 0) sets.push("updated_at = :now, seq = seq + 1, event = 'progress'");
    return this.#fenced(input, sets.join(", "), { leaseUntil, ...Object.fromEntries(patch) });
  }

  /** The fenced completion statement. */
  #completion({ result, expiresAt, ...input }: contract.CompleteInput): Statement {
    return this.#sql.fenced(
      input,
      `state = 'completed', result = :result, error = NULL, progress = 1, token = NULL,
       lease_until = NULL, expires_at = :expiresAt, updated_at = :now, seq = seq + 1,
       event = 'completed'`,
      { result, expiresAt },
    );
  }

  async complete(input: contract.CompleteInput): Promise<boolean> {
    return (await this.#execute(this.#completion(input))).rows.length > 0;
  }

  async completeAndClaim(
    input: contract.CompleteAndClaimInput,
  ): Promise<contract.CompleteAndClaimOutcome> {
    const claim = { ...input.next, queue: input.queue, now: input.now };
    const [completed, , , claimed] = await this.#write([
      this.#completion(input),
      ...this.#claimSteps(claim),
    ]);
    return {
      completed: (completed?.rows.length ?? 0) > 0,
      claimed: Array.from(claimed?.rows ?? [])
        .sort(byClaimOrder)
        .map(toJobRecord),
    };
  }

  fail({ error, retryAt, expiresAt, ...input }: contract.FailInput): Promise<boolean> {
    if (retryAt === null) {
      return this.#fenced(
        input,
        `state = 'failed', error = :error, token = NULL, lease_until = NULL,
         expires_at = :expiresAt, updated_at = :now, seq = seq + 1, event = 'failed'`,
        { error, expiresAt },
      );
    }
    return this.#fenced(
      input,
      `state = 'queued', error = :error, run_at = :retryAt, token = NULL, lease_until = NULL,
       updated_at = :now, seq = seq + 1, event = 'retry-scheduled'`,
      { error, retryAt },
    );
  }

  release(input: contract.FencedInput): Promise<boolean> {
    return this.#fenced(
      input,
      `state = 'queued', attempts = attempts - 1, token = NULL, lease_until = NULL,
       updated_at = :now, seq = seq + 1, event = 'released'`,
      {},
    );
  }

  /** A conditional update and a read of the job's state, in one round trip. */
  async #transition(
    input: contract.JobInput,
    update: Statement,
  ): Promise<"changed" | string | null> {
    const [changed, current] = await this.#write([update, this.#sql.get(input, "state")]);
    if ((changed?.rows.length ?? 0) > 0) return "changed";
    const row = current?.rows[0];
    return row ? String(row.state) : null;
  }

  async cancel(input: contract.CancelInput): Promise<contract.CancelOutcome> {
    const outcome = await this.#transition(input, this.#sql.cancel(input));
    if (outcome === "changed") return "cancelled";
    return outcome === null ? "not-found" : "already-finished";
  }

  async retry(input: contract.JobInput): Promise<contract.RetryOutcome> {
    const outcome = await this.#transition(input, this.#sql.redrive(input));
    if (outcome === "changed") return "redriven";
    return outcome === null ? "not-found" : "not-failed";
  }

  async get(input: contract.JobInput): Promise<contract.JobRecord | null> {
    const row = (await this.#execute(this.#sql.get(input))).rows[0];
    return row ? toJobRecord(row) : null;
  }

  async readEvents(input: contract.ReadEventsInput): Promise<contract.EventRecord[]> {
    return Array.from((await this.#execute(this.#sql.readEvents(input))).rows).map(toEventRecord);
  }

  async list(input: contract.ListInput): Promise<contract.ListOutcome> {
    const after = Number(input.cursor ?? 0) || 0;
    const rows = Array.from((await this.#execute(this.#sql.list(input, after))).rows);
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    const more = rows.length > input.limit && last;
    return { jobs: page.map(toJobRecord), cursor: more ? String(last.pos) : null };
  }

  async stats({ queue, now }: contract.QueueScope): Promise<JobCounts> {
    const row = (await this.#execute(this.#sql.stats(queue, now))).rows[0] ?? {};
    return Object.fromEntries(
      JOB_STATES.map((state) => [state, Number(row[state] ?? 0)]),
    ) as JobCounts;
  }

  async purge({ queue, states = [...JOB_STATES] }: contract.PurgeInput): Promise<number> {
    if (states.length === 0) return 0;
    return (await this.#execute(this.#sql.purge(queue, states))).rowsAffected;
  }

  async close(): Promise<void> {
    const ready = this.#ready;
    this.#ready = null;
    if (ready && this.settings.ownsClient) (await ready.catch(() => null))?.close();
  }
}
