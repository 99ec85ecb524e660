/**
 * The layout of every batch that claims (claim, completeAndClaim, completeAndClaimMany): one
 * write transaction, so one request over HTTP.
 *
 * 1. the sweep, once: expired leases (requeued or dead-lettered), then due schedules (their
 *    jobs are claimable by this very batch);
 * 2. the caller's statements in between (completions), which see the sweep's effects;
 * 3. per claim: the claim statement, and with type limits its type window counts;
 * 4. the closing read, once: the wake-up time and the schedules to refill, as they are now.
 *
 * A queue not known to use keys, claimed without type limits, gets the plain claim and
 * closing read (small texts, which matters where a server prepares every statement of every
 * request). Should the queue have lanes after all (another process enqueued a keyed job), the
 * plain claim takes nothing, the result says `again`, and the queue is claimed the full way
 * from then on: running the same batch again is safe, as every statement in it is safe to
 * re-send.
 */
import type { ClaimInput, JobRecord, ScheduleRecord } from "../../backend.js";
import type { SqlResult, SqlRow, Statement } from "./client.js";
import { byClaimOrder, toJobRecord, toScheduleRecord } from "./rows.js";
import type { Tables } from "./schema.js";
import { Statements } from "./statements.js";
import { ClaimStatements } from "./statements-claim.js";
import { ScheduleStatements } from "./statements-schedules.js";

/** One claim's share of a batch's results. */
export interface ClaimResult {
  /** The claimed jobs, in claim order. */
  jobs: JobRecord[];
  /** When a rate window opens for held-back jobs; only for a claim that took fewer than asked. */
  wakeAt: number | null;
}

/** A batch's results, read back. */
export interface BatchResult {
  /** The results of the statements passed in between, in order. */
  between: SqlResult[];
  claims: ClaimResult[];
  /** Schedules to refill (see `ClaimOutcome.refill`). */
  refill: ScheduleRecord[];
  /** The plain claim met a queue with lanes and took nothing: plan and run the batch again. */
  again: boolean;
}

/** Builds claim batches for one set of tables. */
export class ClaimBatches {
  readonly #jobs: Statements;
  readonly #claims: ClaimStatements;
  readonly #schedules: ScheduleStatements;
  /** Queues known to use concurrency keys: claimed the full way. */
  readonly #keyed = new Set<string>();

  constructor(tables: Tables) {
    this.#jobs = new Statements(tables);
    this.#claims = new ClaimStatements(tables);
    this.#schedules = new ScheduleStatements(tables);
  }

  /**
   * The statements for `claims` (at least one; the first one's scope and limits drive the
   * sweep and the closing read) with `between` after the sweep, and how to read the results.
   */
  plan(
    claims: readonly ClaimInput[],
    between: readonly Statement[] = [],
  ): { statements: Statement[]; read(results: SqlResult[]): BatchResult } {
    const first = claims[0] as ClaimInput;
    const plain =
      !this.#keyed.has(first.queue) &&
      claims.every((claim) => claim.limits.typeRateLimits.length === 0);
    const perClaim = claims.map((claim) =>
      plain ? [this.#claims.plainClaim(claim)] : this.#claimSteps(claim),
    );
    const closingColumns = { refill: this.#schedules.refills() };
    const statements = [
      this.#jobs.expireLeases(first),
      this.#schedules.materialise(first),
      ...between,
      ...perClaim.flat(),
      plain
        ? this.#claims.plainClosing(first, closingColumns)
        : this.#claims.wakeAt(first, closingColumns),
    ];
    const read = (results: SqlResult[]): BatchResult => {
      const closing = results.at(-1)?.rows[0];
      const again = plain && Number(closing?.keyed ?? 0) === 1;
      if (again) this.#keyed.add(first.queue);
      const wake = closing?.wake;
      let offset = 2 + between.length;
      return {
        between: results.slice(2, offset),
        claims: claims.map((claim, i) => {
          const jobs = Array.from(results[offset]?.rows ?? [])
            .sort(byClaimOrder)
            .map(toJobRecord);
          offset += perClaim[i]?.length ?? 1;
          const held = jobs.length < claim.limit && wake !== null && wake !== undefined;
          return { jobs, wakeAt: held ? Number(wake) : null };
        }),
        refill:
          typeof closing?.refill === "string"
            ? (JSON.parse(closing.refill) as SqlRow[]).map(toScheduleRecord)
            : [],
        again,
      };
    };
    return { statements, read };
  }

  /** Notes that `queue` uses concurrency keys (say, this process enqueued a keyed job). */
  markKeyed(queue: string): void {
    this.#keyed.add(queue);
  }

  /** The claim statement, then (with type limits) its type window counts. */
  #claimSteps(claim: ClaimInput): Statement[] {
    const steps = [this.#claims.claim(claim)];
    if (claim.limits.typeRateLimits.length > 0) steps.push(this.#claims.typeBookkeeping(claim));
    return steps;
  }
}
