/**
 * The SQLite implementation of the {@link contract.Backend} contract, over a small client
 * interface ({@link SqliteClient}) that each entry (libSQL; D1 and Durable Objects next)
 * adapts its driver to. Every contract call is one atomic write batch or one statement, so one
 * request to a remote database.
 */
import * as contract from "../../backend.js";
import { BackendError } from "../../errors.js";
import { JOB_STATES, type JobCounts } from "../../job.js";
import { ClaimBatches } from "./claim-batch.js";
import type { SqlStatement } from "./client.js";
import {
  toEnqueueOutcomes,
  toEventRecord,
  toJobRecord,
  toKeyLimits,
  toListOutcome,
  toQueueLimits,
  toScheduleRecord,
} from "./rows.js";
import { tablesFor } from "./schema.js";
import { JobStatements } from "./statements-jobs.js";
import { LimitStatements } from "./statements-limits.js";
import { ScheduleStatements } from "./statements-schedules.js";
import { WriteStatements } from "./statements-writes.js";
import { SqliteStore, type SqliteStoreOptions } from "./store.js";

/** What an entry passes to {@link SqliteBackend}: how to reach the store, and its limits. */
export interface SqliteBackendSettings extends Omit<SqliteStoreOptions, "tables"> {
  /** Table name prefix (a SQL identifier; the entry validates it). */
  prefix: string;
  /** Largest payload or result the store accepts, in bytes of UTF-8. */
  maxPayloadBytes: number;
}

/** Every optional group but `push` (SQLite has no channel: followers poll the event log). */
const FEATURES = Object.freeze(contract.BACKEND_FEATURES.filter((f) => f !== "push"));

/**
 * A SQLite store implementing the required core and every optional group. Entries build it
 * with their client and classifier (see index.ts); it does no I/O until the first call.
 */
export class SqliteBackend
  implements
    contract.CoreBackend,
    contract.ScheduleMethods,
    contract.LimitMethods,
    contract.GroupedCompletionMethods
{
  readonly name: string;
  readonly capabilities: contract.BackendCapabilities;
  readonly #store: SqliteStore;
  readonly #jobs: JobStatements;
  readonly #writes: WriteStatements;
  readonly #batches: ClaimBatches;
  readonly #schedules: ScheduleStatements;
  readonly #limits: LimitStatements;

  constructor(settings: SqliteBackendSettings) {
    this.name = settings.name;
    this.capabilities = { maxPayloadBytes: settings.maxPayloadBytes, features: FEATURES };
    const tables = tablesFor(settings.prefix);
    this.#store = new SqliteStore({ ...settings, tables });
    this.#jobs = new JobStatements(tables);
    this.#writes = new WriteStatements(tables);
    this.#batches = new ClaimBatches(tables);
    this.#schedules = new ScheduleStatements(tables);
    this.#limits = new LimitStatements(tables);
  }

  /** Creates or upgrades the schema (idempotent, safe to race). */
  init(): Promise<void> {
    return this.#store.init();
  }

  async enqueue({ queue, now, jobs }: contract.EnqueueInput): Promise<contract.EnqueueOutcome[]> {
    const keys = jobs.map((job) => job.idempotencyKey).filter((key) => key !== null);
    if (jobs.some((job) => job.concurrencyKey !== null)) this.#batches.markFull(queue);
    const [, ...results] = await this.#store.write([
      this.#jobs.cleanup(queue, now, keys),
      ...jobs.map((job) => this.#jobs.insert(queue, now, job)),
      ...(keys.length > 0 ? [this.#jobs.keyHolders(queue, keys)] : []),
    ]);
    const holders = keys.length > 0 ? (results.at(-1)?.rows ?? []) : [];
    return toEnqueueOutcomes(jobs, results, holders);
  }

  /**
   * Runs a claim batch (see claim-batch.ts): once, or twice when a plain claim met a queue
   * that needs the full one (the repeat is safe: every statement in it is).
   */
  async #claimBatch(claims: contract.ClaimInput[], completions: contract.CompleteInput[] = []) {
    const first = this.#batches.plan(claims, completions);
    const result = first.read(await this.#store.write(first.statements));
    if (!result.again) return result;
    const full = this.#batches.plan(claims, completions);
    return full.read(await this.#store.write(full.statements));
  }

  /** One write batch (see claim-batch.ts). */
  async claim(input: contract.ClaimInput): Promise<contract.ClaimOutcome> {
    const { claims, refill } = await this.#claimBatch([input]);
    const [claimed] = claims;
    return { jobs: claimed?.jobs ?? [], wakeAt: claimed?.wakeAt ?? null, refill };
  }

  async #fenced(statement: SqlStatement): Promise<boolean> {
    return (await this.#store.execute(statement)).rows.length > 0;
  }

  update(input: contract.UpdateInput): Promise<boolean> {
    return this.#fenced(this.#writes.progress(input));
  }

  complete(input: contract.CompleteInput): Promise<boolean> {
    return this.#fenced(this.#writes.complete(input));
  }

  /** The completion and the claim in one write batch, after the sweep (see claim-batch.ts). */
  async completeAndClaim(
    input: contract.CompleteAndClaimInput,
  ): Promise<contract.CompleteAndClaimOutcome> {
    const [outcome] = await this.completeAndClaimMany({ ...input, items: [input] });
    return outcome as contract.CompleteAndClaimOutcome;
  }

  /**
   * Every member's completion and claim in one write transaction (one request over HTTP): the
   * sweep once, first (a completion whose lease ran out completes nothing); then per member,
   * in order, its completion (fenced by its own token), its claim and (for a queue with
   * lanes or type limits) its wake-up time; the refills go to the first member.
   */
  async completeAndClaimMany(
    input: contract.CompleteAndClaimManyInput,
  ): Promise<contract.CompleteAndClaimOutcome[]> {
    const { queue, now, items } = input;
    if (items.length === 0) return [];
    const claims = items.map((item) => ({ ...item.next, queue, now }));
    const completions = items.map((item) => ({ ...item, queue, now }));
    const result = await this.#claimBatch(claims, completions);
    return result.claims.map((claim, i) => ({
      completed: claim.completed,
      claimed: claim.jobs,
      wakeAt: claim.wakeAt,
      refill: i === 0 ? result.refill : [],
    }));
  }

  fail(input: contract.FailInput): Promise<boolean> {
    return this.#fenced(this.#writes.fail(input));
  }

  release(input: contract.FencedInput): Promise<boolean> {
    return this.#fenced(this.#writes.release(input));
  }

  /**
   * A requested change (cancel, redrive) and a read of the job, in one round trip: "applied"
   * if it changed the job — now, or in an earlier run of this very call (a re-send finds its
   * own `callId` in `token`, or for a redrive in `redriven_by`, which a later claim leaves) —
   * else the job's state, or null if there is none.
   */
  async #requested(
    input: contract.RequestedChangeInput,
    change: SqlStatement,
  ): Promise<string | null> {
    const read = this.#jobs.get(input, "state, token, redriven_by");
    const [changed, current] = await this.#store.write([change, read]);
    if ((changed?.rows.length ?? 0) > 0) return "applied";
    const row = current?.rows[0];
    if (!row) return null;
    const own = row.token === input.callId || row.redriven_by === input.callId;
    return own ? "applied" : String(row.state);
  }

  async cancel(input: contract.CancelInput): Promise<contract.CancelOutcome> {
    const outcome = await this.#requested(input, this.#writes.cancel(input));
    if (outcome === "applied") return "cancelled";
    return outcome === null ? "not-found" : "already-finished";
  }

  async retry(input: contract.RequestedChangeInput): Promise<contract.RetryOutcome> {
    const outcome = await this.#requested(input, this.#writes.redrive(input));
    if (outcome === "applied") return "redriven";
    return outcome === null ? "not-found" : "not-failed";
  }

  async get(input: contract.JobInput): Promise<contract.JobRecord | null> {
    const row = (await this.#store.execute(this.#jobs.get(input))).rows[0];
    return row ? toJobRecord(row) : null;
  }

  async readEvents(input: contract.ReadEventsInput): Promise<contract.EventRecord[]> {
    const { rows } = await this.#store.execute(this.#jobs.readEvents(input));
    return Array.from(rows).map(toEventRecord);
  }

  async list(input: contract.ListInput): Promise<contract.ListOutcome> {
    const after = Number(input.cursor ?? 0) || 0;
    const { rows } = await this.#store.execute(this.#jobs.list(input, after));
    return toListOutcome(rows, input.limit);
  }

  async stats({ queue, now }: contract.QueueScope): Promise<JobCounts> {
    const row = (await this.#store.execute(this.#jobs.stats(queue, now))).rows[0] ?? {};
    return Object.fromEntries(
      JOB_STATES.map((state) => [state, Number(row[state] ?? 0)]),
    ) as JobCounts;
  }

  /** Counts the live jobs it removes (expired ones go too, uncounted), in one write batch. */
  async purge({ queue, now, states = [...JOB_STATES] }: contract.PurgeInput): Promise<number> {
    if (states.length === 0) return 0;
    const [counted] = await this.#store.write([
      this.#jobs.purgeable(queue, now, states),
      this.#jobs.purge(queue, states),
      this.#jobs.reclaimLanes(queue, now),
    ]);
    return Number(counted?.rows[0]?.n ?? 0);
  }

  async putSchedule(input: contract.PutScheduleInput): Promise<contract.ScheduleRecord> {
    const row = (await this.#store.execute(this.#schedules.put(input))).rows[0];
    if (!row) throw new BackendError(`${this.name}: the schedule upsert returned no row`);
    return toScheduleRecord(row);
  }

  async deleteSchedule(input: contract.JobInput): Promise<boolean> {
    return (await this.#store.execute(this.#schedules.remove(input))).rows.length > 0;
  }

  async listSchedules(input: contract.QueueScope): Promise<contract.ScheduleRecord[]> {
    const { rows } = await this.#store.execute(this.#schedules.list(input));
    return Array.from(rows).map(toScheduleRecord);
  }

  /** Fenced by `version`. Fired ticks become jobs (by trigger) in the same statement. */
  async refillSchedule(input: contract.RefillScheduleInput): Promise<boolean> {
    return (await this.#store.execute(this.#schedules.refill(input))).rows.length > 0;
  }

  /** Writes the settings row and reads it back, in one write batch. */
  async setQueueLimits(input: contract.SetQueueLimitsInput): Promise<contract.QueueLimits> {
    const [, stored] = await this.#store.write([
      this.#limits.setQueue(input),
      this.#limits.getQueue(input),
    ]);
    const limits = toQueueLimits(stored?.rows[0]);
    if (limits.typeRateLimits.length > 0) this.#batches.markFull(input.queue);
    return limits;
  }

  async getQueueLimits(input: contract.QueueScope): Promise<contract.QueueLimits> {
    return toQueueLimits((await this.#store.execute(this.#limits.getQueue(input))).rows[0]);
  }

  async setKeyLimits(input: contract.SetKeyLimitsInput): Promise<void> {
    await this.#store.execute(this.#limits.setKey(input));
  }

  async getKeyLimits(input: contract.QueueScope & { key: string }): Promise<contract.KeyLimits> {
    return toKeyLimits((await this.#store.execute(this.#limits.getKey(input))).rows[0]);
  }

  /** Closes the client if the backend created it (never a client the user passed in). */
  close(): Promise<void> {
    return this.#store.close();
  }
}
