/**
 * Statements that change a claimed or requested job: the sweep of expired leases, progress,
 * the fenced final writes (complete, fail, release) and the requested changes (cancel,
 * redrive). Triggers log each change (see
 * statements-jobs.ts); lane heads and key slots follow by trigger too, so every way out of
 * `active` frees its key's slot.
 */
import type {
  CancelInput,
  ClaimInput,
  CompleteInput,
  FailInput,
  FencedInput,
  RequestedChangeInput,
  UpdateInput,
} from "../../backend.js";
import type { SqlStatement, SqlValue } from "./client.js";
import type { Tables } from "./schema.js";
import { jsonList, SqlTexts } from "./sql-text.js";
import { LIVE } from "./statements-jobs.js";

/** Where a fenced final write reads a value: a named argument, or a column of a group's rows. */
type Source = (name: string) => string;
const argument: Source = (name) => `:${name}`;

/** The SET clause of each fenced final write, by the event it logs. */
const FINAL_SETS = {
  completed: (v: Source) => `state = 'completed', result = ${v("result")}, error = NULL,
    progress = 1, lease_until = NULL, expires_at = ${v("expiresAt")}`,
  failed: (v: Source) =>
    `state = 'failed', error = ${v("error")}, lease_until = NULL, expires_at = ${v("expiresAt")}`,
  "retry-scheduled": (v: Source) =>
    `state = 'queued', error = ${v("error")}, run_at = ${v("retryAt")}, lease_until = NULL`,
  // The attempt is given back once: a re-sent release finds the job no longer active.
  released: () => "state = 'queued', attempts = attempts - (state = 'active'), lease_until = NULL",
} as const;

type FinalEvent = keyof typeof FINAL_SETS;

/**
 * A fenced final write's text (see {@link WriteStatements}): `v` names the job's id, the
 * caller's token and the event's values; `from` joins a group's rows. The job is found by
 * its id (`+queue` keeps the planner off the queue index, which a group's join would
 * otherwise walk whole).
 */
const finishText = (t: Tables, event: FinalEvent, v: Source, from = "") =>
  `UPDATE ${t.jobs} SET ${FINAL_SETS[event](v)}, updated_at = :now,
     seq = seq + (state = 'active'), event = '${event}' ${from}
   WHERE ${t.jobs}.id = ${v("id")} AND +queue = :queue AND ${t.jobs}.token = ${v("token")}
     AND (state = 'active' OR (event = '${event}' AND updated_at = :now))`;

/** Statements that change claimed or requested jobs, for one set of tables. */
export class WriteStatements {
  readonly #texts = new SqlTexts();

  constructor(private readonly t: Tables) {}

  /**
   * Expired leases, in one statement: a job with attempts left goes back to `queued` (event
   * `lease-expired`), keeping its priority and run time, so the claim that follows picks it
   * in the usual order; one with none left is dead-lettered (`failed`, with the claim's error
   * and retention). The stale holder's token is cleared: its writes are fenced from here on.
   */
  expireLeases(input: ClaimInput): SqlStatement {
    const { queue, now, expiredError: error, failedExpiresAt: expiresAt } = input;
    const spent = "attempts >= max_attempts";
    const text = () => `UPDATE ${this.t.jobs} SET state = IIF(${spent}, 'failed', 'queued'),
         error = IIF(${spent}, :error, error), expires_at = IIF(${spent}, :expiresAt, expires_at),
         token = NULL, lease_until = NULL, updated_at = :now, seq = seq + 1,
         event = IIF(${spent}, 'failed', 'lease-expired')
       WHERE queue = :queue AND state = 'active' AND lease_until <= :now`;
    return this.#texts.statement("expire", text, { queue, now, error, expiresAt });
  }

  /**
   * Extends the lease and applies a progress patch, while the job is active under the
   * caller's token. A `progress` event is logged only when something changed, so a re-sent
   * call (same lease end, same values) logs nothing twice.
   */
  progress(input: UpdateInput): SqlStatement {
    const { leaseUntil, progress, message, data } = input;
    const patch = Object.entries({ progress, message, data }).filter(([, v]) => v !== undefined);
    const columns = patch.map(([column]) => column);
    const text = () => {
      const sets = ["lease_until = :leaseUntil"];
      if (columns.length > 0) {
        const changed = ["lease_until IS NOT :leaseUntil"];
        for (const column of columns) {
          sets.push(`${column} = :${column}`);
          changed.push(`${column} IS NOT :${column}`);
        }
        sets.push(`updated_at = :now, seq = seq + (${changed.join(" OR ")}), event = 'progress'`);
      }
      return `UPDATE ${this.t.jobs} SET ${sets.join(", ")}
        WHERE id = :id AND queue = :queue AND state = 'active' AND token = :token RETURNING pos`;
    };
    const { id, queue, token, now } = input;
    const args = { leaseUntil, ...Object.fromEntries(patch), id, queue, token, now };
    return this.#texts.statement(`progress:${columns.join()}`, text, args);
  }

  /** Completes the job while it is active under the caller's token. */
  complete({ result, expiresAt, ...input }: CompleteInput): SqlStatement {
    return this.#finish(input, "completed", { result, expiresAt });
  }

  /** Fails the job (dead-letters it, or queues it again at `retryAt`), fenced likewise. */
  fail({ error, retryAt, expiresAt, ...input }: FailInput): SqlStatement {
    return retryAt === null
      ? this.#finish(input, "failed", { error, expiresAt })
      : this.#finish(input, "retry-scheduled", { error, retryAt });
  }

  /** Gives the job back untouched, fenced likewise. */
  release(input: FencedInput): SqlStatement {
    return this.#finish(input, "released", {});
  }

  /**
   * A fenced final write: applies the event's SET clause and logs it only while the job is
   * active under the caller's token. The token stays on the row, so a re-sent call (same
   * token, same `now`) finds the change it already made — same event, same time — and
   * returns the row again without logging twice (`seq` moves only for an active job).
   */
  #finish(input: FencedInput, event: FinalEvent, args: Record<string, SqlValue>): SqlStatement {
    const text = () => `${finishText(this.t, event, argument)} RETURNING pos`;
    const { id, queue, token, now } = input;
    return this.#texts.statement(`finish:${event}`, text, { ...args, id, queue, token, now });
  }

  /**
   * Completes a group's jobs (`inputs`: at least one, all of one queue at one time) in one
   * statement, each fenced by its own token as {@link WriteStatements.complete} is. Returns
   * `id` and `token` of each job it completed (or, re-sent, had completed).
   */
  completeGroup(inputs: readonly CompleteInput[]): SqlStatement {
    const text = () => {
      const rows = `(SELECT value ->> 'id' AS id, value ->> 'token' AS token,
          value ->> 'result' AS result, value ->> 'expiresAt' AS expiresAt
        FROM json_each(:items)) AS d`;
      const from = `FROM ${rows}`;
      return `${finishText(this.t, "completed", (name) => `d.${name}`, from)}
        RETURNING id, token`;
    };
    const first = inputs[0] as CompleteInput;
    const items = jsonList(
      inputs.map(({ id, token, result, expiresAt }) => ({ id, token, result, expiresAt })),
    );
    return this.#texts.statement("complete-group", text, {
      items,
      queue: first.queue,
      now: first.now,
    });
  }

  /** Cancels a queued or active job; `token` takes the call's id, so a re-send knows its own. */
  cancel(input: CancelInput): SqlStatement {
    const { id, queue, now, expiresAt, callId } = input;
    const text = () => `UPDATE ${this.t.jobs} SET state = 'cancelled', token = :callId,
         lease_until = NULL, expires_at = :expiresAt, updated_at = :now, seq = seq + 1,
         event = 'cancelled'
       WHERE id = :id AND queue = :queue AND state IN ('queued', 'active') AND ${LIVE}
       RETURNING pos`;
    return this.#texts.statement("cancel", text, { id, queue, now, expiresAt, callId });
  }

  /**
   * Redrives a failed job; `token` takes the call's id until a claim replaces it, and
   * `redriven_by` keeps it after that.
   */
  redrive(input: RequestedChangeInput): SqlStatement {
    const { id, queue, now, callId } = input;
    const text = () => `UPDATE ${this.t.jobs} SET state = 'queued', attempts = 0, run_at = :now,
         result = NULL, token = :callId, redriven_by = :callId, expires_at = NULL,
         updated_at = :now, seq = seq + 1, event = 'redriven'
       WHERE id = :id AND queue = :queue AND state = 'failed' AND ${LIVE} RETURNING pos`;
    return this.#texts.statement("redrive", text, { id, queue, now, callId });
  }
}
