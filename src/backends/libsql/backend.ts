import type * as contract from "../../backend.js";
import { BackendError } from "../../errors.js";
import { JOB_STATES, type JobCounts } from "../../job.js";
import { ClaimBatches } from "./claim-batch.js";
import type { LibsqlClientLike, SqlResult, Statement } from "./client.js";
import { toEventRecord, toJobRecord, toKeyLimits, toScheduleRecord } from "./rows.js";
import { migrate, tablesFor } from "./schema.js";
import { Statements } from "./statements.js";
import { KeyStatements } from "./statements-keys.js";
import { ScheduleStatements } from "./statements-schedules.js";
import { storeError } from "./store-error.js";

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

/** The libSQL / SQLite implementation of the {@link contract.Backend} contract. */
export class LibsqlBackend implements contract.Backend {
  readonly name: string;
  readonly capabilities: contract.BackendCapabilities;
  readonly #sql: Statements;
  readonly #batches: ClaimBatches;
  readonly #schedules: ScheduleStatements;
  readonly #keys: KeyStatements;
  #ready: Promise<LibsqlClientLike> | null = null;

  constructor(private readonly settings: LibsqlBackendSettings) {
    this.name = settings.name;
    this.capabilities = settings.capabilities;
    const tables = tablesFor(settings.prefix);
    this.#sql = new Statements(tables);
    this.#batches = new ClaimBatches(tables);
    this.#schedules = new ScheduleStatements(tables);
    this.#keys = new KeyStatements(tables);
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
        if (!/no such (table|column)|has no column named/i.test(String((error as Error)?.message)))
          throw error;
        await migrate(client, tablesFor(this.settings.prefix));
        return await op(client);
      }
    } catch (error) {
      throw storeError(this.name, error);
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
    if (jobs.some((job) => job.concurrencyKey !== null)) this.#batches.markKeyed(queue);
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
      const holder = holders.get(job.idempotencyKey ?? "");
      // A re-sent call finds its own job holding the key: it was created, by this call.
      const created = (results[i]?.rows.length ?? 0) > 0 || holder === job.id;
      // Not created: the key's holder answers (an id taken by other content fails the batch).
      return { id: created ? job.id : (holder ?? job.id), created };
    });
  }

  /**
   * Runs a claim batch (see claim-batch.ts): once, or twice when a plain claim met a queue
   * that uses keys (the repeat is safe: every statement in it is).
   */
  async #claimBatch(claims: contract.ClaimInput[], between: Statement[] = []) {
    const first = this.#batches.plan(claims, between);
    const result = first.read(await this.#write(first.statements));
    if (!result.again) return result;
    const full = this.#batches.plan(claims, between);
    return full.read(await this.#write(full.statements));
  }

  /** One write batch (see claim-batch.ts). */
  async claim(input: contract.ClaimInput): Promise<contract.ClaimOutcome> {
    const { claims, refill } = await this.#claimBatch([input]);
    const [claimed] = claims;
    return { jobs: claimed?.jobs ?? [], wakeAt: claimed?.wakeAt ?? null, refill };
  }

  async #fenced(statement: Statement): Promise<boolean> {
    return (await this.#execute(statement)).rows.length > 0;
  }

  update(input: contract.UpdateInput): Promise<boolean> {
    return this.#fenced(this.#sql.progress(input));
  }

  /** The fenced completion statement. */
  #completion({ result, expiresAt, ...input }: contract.CompleteInput): Statement {
    return this.#sql.finish(
      input,
      "completed",
      `state = 'completed', result = :result, error = NULL, progress = 1, lease_until = NULL,
       expires_at = :expiresAt`,
      { result, expiresAt },
    );
  }

  complete(input: contract.CompleteInput): Promise<boolean> {
    return this.#fenced(this.#completion(input));
  }

  /** The completion and the claim in one write batch, after the sweep (see claim-batch.ts). */
  async completeAndClaim(
    input: contract.CompleteAndClaimInput,
  ): Promise<contract.CompleteAndClaimOutcome> {
    // Expired leases first, as in a group: a completion whose lease ran out completes nothing.
    const claim = { ...input.next, queue: input.queue, now: input.now };
    const { between, claims, refill } = await this.#claimBatch([claim], [this.#completion(input)]);
    const [claimed] = claims;
    return {
      completed: (between[0]?.rows.length ?? 0) > 0,
      claimed: claimed?.jobs ?? [],
      wakeAt: claimed?.wakeAt ?? null,
      refill,
    };
  }

  /**
   * Every member's completion and claim in one write transaction (one request over HTTP): the
   * sweep once, first; one set-based statement completing every member, each fenced by its
   * own token; then each member's claim; then one closing read, whose wake-up time goes to
   * every member that took fewer jobs than it asked for, and its refills to the first.
   */
  async completeAndClaimMany(
    input: contract.CompleteAndClaimManyInput,
  ): Promise<contract.CompleteAndClaimOutcome[]> {
    const { queue, now, items } = input;
    if (items.length === 0) return [];
    const claims = items.map((item) => ({ ...item.next, queue, now }));
    const result = await this.#claimBatch(claims, [this.#sql.completeMany({ queue, now }, items)]);
    const completed = new Set(Array.from(result.between[0]?.rows ?? [], (row) => String(row.id)));
    return items.map((item, i) => ({
      completed: completed.has(item.id),
      claimed: result.claims[i]?.jobs ?? [],
      wakeAt: result.claims[i]?.wakeAt ?? null,
      refill: i === 0 ? result.refill : [],
    }));
  }

  fail({ error, retryAt, expiresAt, ...input }: contract.FailInput): Promise<boolean> {
    if (retryAt === null) {
      return this.#fenced(
        this.#sql.finish(
          input,
          "failed",
          "state = 'failed', error = :error, lease_until = NULL, expires_at = :expiresAt",
          { error, expiresAt },
        ),
      );
    }
    return this.#fenced(
      this.#sql.finish(
        input,
        "retry-scheduled",
        "state = 'queued', error = :error, run_at = :retryAt, lease_until = NULL",
        { error, retryAt },
      ),
    );
  }

  release(input: contract.FencedInput): Promise<boolean> {
    // The attempt is given back once: a re-sent release finds the job no longer active.
    return this.#fenced(
      this.#sql.finish(
        input,
        "released",
        "state = 'queued', attempts = attempts - (state = 'active'), lease_until = NULL",
        {},
      ),
    );
  }

  /**
   * A requested change (cancel, redrive) and a read of the job, in one round trip: "applied"
   * if it changed the job — now, or in an earlier run of this very call (a re-send finds its
   * own `callId` in `token`, or for a redrive in `redriven_by`, which a later claim leaves) —
   * else the job's state, or null if there is none.
   */
  async #requested(
    input: contract.RequestedChangeInput,
    change: Statement,
  ): Promise<string | null> {
    const read = this.#sql.get(input, "state, token, redriven_by");
    const [changed, current] = await this.#write([change, read]);
    if ((changed?.rows.length ?? 0) > 0) return "applied";
    const row = current?.rows[0];
    if (!row) return null;
    const own = row.token === input.callId || row.redriven_by === input.callId;
    return own ? "applied" : String(row.state);
  }

  async cancel(input: contract.CancelInput): Promise<contract.CancelOutcome> {
    const outcome = await this.#requested(input, this.#sql.cancel(input));
    if (outcome === "applied") return "cancelled";
    return outcome === null ? "not-found" : "already-finished";
  }

  async retry(input: contract.RequestedChangeInput): Promise<contract.RetryOutcome> {
    const outcome = await this.#requested(input, this.#sql.redrive(input));
    if (outcome === "applied") return "redriven";
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

  async putSchedule(input: contract.PutScheduleInput): Promise<contract.ScheduleRecord> {
    const row = (await this.#execute(this.#schedules.put(input))).rows[0];
    if (!row) throw new BackendError(`${this.name}: the schedule upsert returned no row`);
    return toScheduleRecord(row);
  }

  async deleteSchedule(input: contract.JobInput): Promise<boolean> {
    return (await this.#execute(this.#schedules.remove(input))).rows.length > 0;
  }

  async listSchedules(input: contract.QueueScope): Promise<contract.ScheduleRecord[]> {
    return Array.from((await this.#execute(this.#schedules.list(input))).rows).map(
      toScheduleRecord,
    );
  }

  /** Fenced by `version`. Fired ticks become jobs (by trigger) in the same statement. */
  async refillSchedule(input: contract.RefillScheduleInput): Promise<boolean> {
    return (await this.#execute(this.#schedules.refill(input))).rows.length > 0;
  }

  async setKeyLimits(input: contract.SetKeyLimitsInput): Promise<void> {
    await this.#execute(this.#keys.set(input));
  }

  async getKeyLimits(input: contract.QueueScope & { key: string }): Promise<contract.KeyLimits> {
    return toKeyLimits((await this.#execute(this.#keys.get(input))).rows[0]);
  }

  async close(): Promise<void> {
    const ready = this.#ready;
    this.#ready = null;
    if (ready && this.settings.ownsClient) (await ready.catch(() => null))?.close();
  }
}
