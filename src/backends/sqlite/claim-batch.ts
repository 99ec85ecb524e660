/**
 * The layout of every batch that claims (claim, completeAndClaim, completeAndClaimMany): one
 * write transaction, so one request over HTTP.
 *
 * 1. the sweep, once: expired leases (requeued or dead-lettered), then due schedules (their
 *    jobs are claimable by this very batch);
 * 2. per claim, in order: its completion (for completeAndClaim and each member of a group),
 *    the claim statement, and in a full batch its wake-up time as the rate windows stand
 *    right after it, stored on the jobs the claim started, then read (a re-sent claim reads
 *    the stored one: it answers as its first run did);
 * 4. the closing read, once: the schedules to refill, as they are now (in a full batch, on
 *    the last claim's wake-up read; in a plain one, with whether the queue needs the full
 *    claim).
 *
 * A queue not known to need the full claim gets the plain claim and closing read (small
 * texts, no statement more than it needs). Should it need the full claim after all (another
 * process enqueued a keyed job or stored type limits), the plain claim takes nothing, the
 * result says `again`, and the queue is claimed the full way from then on: running the same
 * batch again is safe, as every statement in it is safe to re-send.
 */
import type { ClaimInput, JobRecord, ScheduleRecord } from "../../backend.js";
import type { SqlResult, SqlRow, SqlStatement } from "./client.js";
import { byClaimOrder, toJobRecord, toScheduleRecord } from "./rows.js";
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
   * scope drives the sweep and the closing read), each right after its completion (the
   * completion statement at the same index, if any: a fenced write returning a row if it
   * applied).
   */
  plan(claims: readonly ClaimInput[], completions: readonly SqlStatement[] = []): ClaimBatch {
    const first = claims[0] as ClaimInput;
    const plain = !this.#full.has(first.queue);
    const last = claims.length - 1;
    const perClaim = claims.map((claim, i) => {
      const completion = completions[i];
      return [
        ...(completion ? [completion] : []),
        ...(plain
          ? [this.#plain.claim(claim)]
          : [
              this.#claims.claim(claim),
              this.#wake.store(claim),
              this.#wake.wakeAt(claim, i === last ? this.#closing : {}),
            ]),
      ];
    });
    const statements = [
      this.#writes.expireLeases(first),
      this.#schedules.materialise(first),
      ...perClaim.flat(),
      ...(plain ? [this.#plain.closing(first, this.#closing)] : []),
    ];
    const read = (results: SqlResult[]): BatchResult => {
      const closing = results.at(-1)?.rows[0];
      const again = plain && Number(closing?.full ?? 0) === 1;
      if (again) this.#full.add(first.queue);
      let offset = 2;
      return {
        claims: claims.map((claim, i) => {
          const completed =
            completions[i] !== undefined && (results[offset++]?.rows.length ?? 0) > 0;
          const jobs = Array.from(results[offset]?.rows ?? [])
            .sort(byClaimOrder)
            .map(toJobRecord);
          const wake = plain ? null : results[offset + 2]?.rows[0]?.wake;
          offset += plain ? 1 : 3;
          const held = jobs.length < claim.limit && wake !== null && wake !== undefined;
          return { completed, jobs, wakeAt: held ? Number(wake) : null };
        }),
        refill:
          typeof closing?.refill === "string"
            ? (JSON.parse(closing.refill) as SqlRow[]).map(toScheduleRecord).sort(byId)
            : [],
        again,
      };
    };
    return { statements, read };
  }

  /** Notes that `queue` needs the full claim (say, this process enqueued a keyed job). */
  markFull(queue: string): void {
    this.#full.add(queue);
  }
}
