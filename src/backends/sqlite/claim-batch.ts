/**
 * The layout of every batch that claims (claim, completeAndClaim, completeAndClaimMany): one
 * write transaction, so one request over HTTP.
 *
 * 1. the sweep, once: expired leases (requeued or dead-lettered), then due schedules (their
 *    jobs are claimable by this very batch);
 * 2. the claims. The full claim, per claim in order: its completion (for completeAndClaim and
 *    each member of a group), the claim statement, its wake-up time as the rate windows stand
 *    right after it, stored on the jobs the claim started, then read (a re-sent claim reads
 *    the stored one: it answers as its first run did). The plain claim: one statement that
 *    completes for the whole group, then one that claims for it;
 * 3. the closing read, once: the schedules to refill, as they are now (in a full batch, on
 *    the last claim's wake-up read; in a plain one, with whether the queue needs the full
 *    claim).
 *
 * A queue not known to need the full claim gets the plain claim and closing read (small
 * texts, no statement more than it needs). Should it need the full claim after all (another
 * process enqueued a keyed job or stored type limits), the plain claim takes nothing, the
 * result says `again`, and the queue is claimed the full way from then on: running the same
 * batch again is safe, as every statement in it is safe to re-send.
 */
import type { ClaimInput, CompleteInput, JobRecord, ScheduleRecord } from "../../backend.js";
import type { SqlResult, SqlRow, SqlStatement } from "./client.js";
import {
  byClaimOrder,
  byLaneOrder,
  type ClaimedFields,
  toJobRecord,
  toScheduleRecord,
} from "./rows.js";
import type { Tables } from "./schema.js";
import { ClaimStatements } from "./statements-claim.js";
import { PlainStatements } from "./statements-plain.js";
import { ScheduleStatements } from "./statements-schedules.js";
import { WakeStatements } from "./statements-wake.js";
import { WriteStatements } from "./statements-writes.js";

/** Schedules by id (`ClaimOutcome.refill`'s order). */
const byId = (a: ScheduleRecord, b: ScheduleRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** One claim's share of a batch's results. */
export interface ClaimResult {
  /** Whether the completion run right before this claim applied (false: none, or fenced). */
  completed: boolean;
  /** The claimed jobs, in claim order. */
  jobs: JobRecord[];
  /** When a rate window opens for held-back jobs; only for a claim that took fewer than asked. */
  wakeAt: number | null;
}

/** A batch's results, read back. */
export interface BatchResult {
  claims: ClaimResult[];
  /** Schedules to refill (see `ClaimOutcome.refill`). */
  refill: ScheduleRecord[];
  /** The plain claim met a queue that needs the full one and took nothing: run it again. */
  again: boolean;
}

/** A completed job as a group's completion names it: its id and the token that completed it. */
const doneKey = (id: unknown, token: unknown) => `${id}\n${token}`;

/**
 * Characters of results a group's completion statement carries in its one JSON parameter; the
 * members past it complete by a statement each. Escaped (at most 2×) and as UTF-8 (at most 3
 * bytes a character) the list stays under 1 MB, inside D1's 2 MB limit on a bound string.
 */
const GROUPED_RESULT_CHARS = 150_000;

/** Splits completions into those one group statement carries and those sent on their own. */
function byResultSize(completions: readonly CompleteInput[]) {
  const grouped: CompleteInput[] = [];
  const single: CompleteInput[] = [];
  let chars = 0;
  for (const completion of completions) {
    const fits = chars + completion.result.length <= GROUPED_RESULT_CHARS;
    if (fits) chars += completion.result.length;
    (fits ? grouped : single).push(completion);
  }
  return { grouped, single };
}

/** Whether a fenced write applied (it returns a row when it did). */
const applied = (result: SqlResult | undefined) => (result?.rows.length ?? 0) > 0;

/** The claims' part of a batch (after the sweep), and how to read its results. */
interface PartPlan {
  statements: SqlStatement[];
  read(results: SqlResult[]): PartResult;
}

/** What the claims' part of a batch answers. */
type PartResult = Omit<BatchResult, "refill">;

/** A planned batch: its statements, and how to read their results. */
export interface ClaimBatch {
  statements: SqlStatement[];
  read(results: SqlResult[]): BatchResult;
}

/** Builds claim batches for one set of tables. */
export class ClaimBatches {
  readonly #writes: WriteStatements;
  readonly #claims: ClaimStatements;
  readonly #plain: PlainStatements;
  readonly #wake: WakeStatements;
  readonly #schedules: ScheduleStatements;
  /** The closing read's extra columns (built once: the text is the same every time). */
  readonly #closing: Readonly<Record<string, string>>;
  /** Queues known to need the full claim. */
  readonly #full = new Set<string>();

  constructor(tables: Tables) {
    this.#writes = new WriteStatements(tables);
    this.#claims = new ClaimStatements(tables);
    this.#plain = new PlainStatements(tables);
    this.#wake = new WakeStatements(tables);
    this.#schedules = new ScheduleStatements(tables);
    this.#closing = { refill: this.#schedules.refills() };
  }

  /**
   * The statements for `claims` (at least one, all of one queue at one time; the first one's
   * scope drives the sweep and the closing read), each after its completion (the one at the
   * same index, if any; of the same queue and time).
   */
  plan(claims: readonly ClaimInput[], completions: readonly CompleteInput[] = []): ClaimBatch {
    const first = claims[0] as ClaimInput;
    const sweep = [this.#writes.expireLeases(first), this.#schedules.materialise(first)];
    const plan = this.#full.has(first.queue)
      ? this.#planFull(claims, completions)
      : this.#planPlain(claims, completions);
    const read = (results: SqlResult[]): BatchResult => {
      const own = plan.read(results.slice(sweep.length));
      if (own.again) this.#full.add(first.queue);
      const refill = results.at(-1)?.rows[0]?.refill;
      return {
        ...own,
        refill:
          typeof refill === "string"
            ? (JSON.parse(refill) as SqlRow[]).map(toScheduleRecord).sort(byId)
            : [],
      };
    };
    return { statements: [...sweep, ...plan.statements], read };
  }

  /**
   * The full claim's part of a batch: per claim, its completion, the claim, its wake-up time
   * stored, then read (the last read carries the closing columns).
   */
  #planFull(claims: readonly ClaimInput[], completions: readonly CompleteInput[]): PartPlan {
    const last = claims.length - 1;
    const statements = claims.flatMap((claim, i) => {
      const completion = completions[i];
      return [
        ...(completion ? [this.#writes.complete(completion)] : []),
        this.#claims.claim(claim),
        this.#wake.store(claim),
        this.#wake.wakeAt(claim, i === last ? this.#closing : {}),
      ];
    });
    const read = (results: SqlResult[]): PartResult => {
      let offset = 0;
      const outcomes = claims.map((claim, i) => {
        const completed = completions[i] !== undefined && applied(results[offset++]);
        const jobs = Array.from(results[offset]?.rows ?? [])
          .sort(byClaimOrder)
          .map((row) => toJobRecord(row));
        const wake = results[offset + 2]?.rows[0]?.wake;
        offset += 3;
        const held = jobs.length < claim.limit && wake !== null && wake !== undefined;
        return { completed, jobs, wakeAt: held ? Number(wake) : null };
      });
      return { claims: outcomes, again: false };
    };
    return { statements, read };
  }

  /**
   * The plain claim's part of a batch: one statement for the group's completions (and one for
   * each whose result would make that statement's list too large), then one that claims for
   * the whole group (statements-plain.ts), then the closing read. The claims may follow all
   * the completions: without lanes or type limits, no completion changes what a claim may take.
   */
  #planPlain(claims: readonly ClaimInput[], completions: readonly CompleteInput[]): PartPlan {
    const first = claims[0] as ClaimInput;
    const { grouped, single } = byResultSize(completions);
    const groupCount = grouped.length > 0 ? 1 : 0;
    const statements = [
      ...(groupCount > 0 ? [this.#writes.completeGroup(grouped)] : []),
      ...single.map((completion) => this.#writes.complete(completion)),
      this.#plain.claimGroup(claims),
      this.#plain.closing(first, this.#closing),
    ];
    const read = (results: SqlResult[]): PartResult => {
      const again = Number(results.at(-1)?.rows[0]?.full ?? 0) === 1;
      const done = new Set<string>();
      for (const row of Array.from(groupCount > 0 ? (results[0]?.rows ?? []) : [])) {
        done.add(doneKey(row.id, row.token));
      }
      single.forEach(({ id, token }, i) => {
        if (applied(results[groupCount + i])) done.add(doneKey(id, token));
      });
      const taken = new Map<unknown, SqlRow[]>();
      for (const row of Array.from(results[groupCount + single.length]?.rows ?? [])) {
        const list = taken.get(row.token);
        if (list) list.push(row);
        else taken.set(row.token, [row]);
      }
      const outcomes = claims.map(({ queue, now, token, leaseUntil }, i) => {
        const completion = completions[i];
        const completed =
          completion !== undefined && done.has(doneKey(completion.id, completion.token));
        const claimed: ClaimedFields = {
          queue,
          state: "active",
          updated_at: now,
          lease_until: leaseUntil,
          concurrency_key: null,
        };
        const rows = (taken.get(token) ?? []).sort(byLaneOrder);
        return { completed, jobs: rows.map((row) => toJobRecord(row, claimed)), wakeAt: null };
      });
      return { claims: outcomes, again };
    };
    return { statements, read };
  }

  /** Notes that `queue` needs the full claim (say, this process enqueued a keyed job). */
  markFull(queue: string): void {
    this.#full.add(queue);
  }
}
