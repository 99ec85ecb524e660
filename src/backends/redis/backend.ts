import type * as contract from "../../backend.js";
import { UnsupportedError } from "../../errors.js";
import { JOB_STATES, type JobCounts } from "../../job.js";
import * as claimScripts from "./claim-scripts.js";
import { asArray, RedisConfigBackend, type Rows } from "./config-backend.js";
import { type ChannelSubscriber, NoticeHub } from "./notices.js";
import { decodeReply, fieldsOf, toEventRecord, toJobRecord, toScheduleRecord } from "./replies.js";
import * as scripts from "./scripts.js";

/**
 * How long one watch keeps a job's events announced (a stream lives minutes, then resumes
 * with a new watch); past it, followers still see events by their safety poll.
 */
const WATCH_MS = 60 * 60_000;

/** Jobs deleted per PURGE script call, so one call never blocks Redis for long. */
const PURGE_CHUNK = 1_000;

/** A claim's reply: jobs, wake-up time (false: none), schedules to refill. */
type ClaimReply = [Rows, number | false, Rows];

/**
 * The Redis implementation of the {@link contract.Backend} contract, every optional group
 * included: one Lua script per operation (schedules and limits in {@link RedisConfigBackend}).
 */
export class RedisBackend
  extends RedisConfigBackend
  implements contract.Backend, contract.GroupedCompletionMethods, contract.PushMethods
{
  readonly #notices: NoticeHub | null;

  constructor(
    options: ConstructorParameters<typeof RedisConfigBackend>[0] & {
      /** How to subscribe to notices; null: the client cannot (no feature `push`). */
      subscriber: ChannelSubscriber | null;
    },
  ) {
    super(options);
    this.#notices = options.subscriber && new NoticeHub(options.subscriber);
  }

  /** Subscribes (once per queue and process) to the queue's notices, then marks the job watched. */
  async watch({ onNotice, signal, ...job }: contract.WatchInput): Promise<void> {
    if (!this.#notices) throw new UnsupportedError("push", this.name);
    await this.#notices.listen(`${this.base(job.queue)}notices`, job.id, onNotice, signal);
    await this.run(scripts.WATCH, job, job.id, job.now + WATCH_MS);
  }

  async enqueue(input: contract.EnqueueInput): Promise<contract.EnqueueOutcome[]> {
    const fields = input.jobs.flatMap((job) => [
      job.id,
      job.type,
      job.payload,
      job.priority,
      job.runAt,
      job.maxAttempts,
      job.backoff ?? "",
      job.idempotencyKey ?? "",
      job.concurrencyKey ?? "",
    ]);
    const reply = decodeReply<Array<[string, number]>>(
      await this.run(scripts.ENQUEUE, input, input.jobs.length, ...fields),
    );
    return asArray(reply).map(([id, created]) => ({ id, created: created === 1 }));
  }

  async claim(input: contract.ClaimInput): Promise<contract.ClaimOutcome> {
    const { limit, token, leaseUntil, expiredError, failedExpiresAt } = input;
    const reply = await this.run(
      claimScripts.CLAIM,
      input,
      limit,
      token,
      leaseUntil,
      expiredError,
      failedExpiresAt,
    );
    const { claimed, wakeAt, refill } = claimOutcome(decodeReply<ClaimReply>(reply), input.queue);
    return { jobs: claimed, wakeAt, refill };
  }

  async update(input: contract.UpdateInput): Promise<boolean> {
    const field = (value: string | number | null | undefined) =>
      value === undefined ? ["", ""] : value === null ? ["0", ""] : ["1", String(value)];
    const reply = await this.run(
      scripts.UPDATE,
      input,
      input.id,
      input.token,
      input.leaseUntil,
      ...field(input.progress),
      ...field(input.message),
      ...field(input.data),
    );
    return Number(reply) === 1;
  }

  async #finish(
    input: contract.FencedInput,
    outcome: string,
    value = "",
    at: number | string = "",
  ): Promise<boolean> {
    const reply = await this.run(scripts.FINISH, input, input.id, input.token, outcome, value, at);
    return Number(reply) === 1;
  }

  complete(input: contract.CompleteInput): Promise<boolean> {
    return this.#finish(input, "completed", input.result, input.expiresAt);
  }

  async completeAndClaim(
    input: contract.CompleteAndClaimInput,
  ): Promise<contract.CompleteAndClaimOutcome> {
    const { next } = input;
    const reply = await this.run(
      claimScripts.COMPLETE_AND_CLAIM,
      input,
      input.id,
      input.token,
      input.result,
      input.expiresAt,
      next.limit,
      next.token,
      next.leaseUntil,
      next.expiredError,
      next.failedExpiresAt,
    );
    const [completed, ...claim] = decodeReply<[number, ...ClaimReply]>(reply);
    return { completed: completed === 1, ...claimOutcome(claim, input.queue) };
  }

  async completeAndClaimMany(
    input: contract.CompleteAndClaimManyInput,
  ): Promise<contract.CompleteAndClaimOutcome[]> {
    const fields = input.items.flatMap((item) => [
      item.id,
      item.token,
      item.result,
      item.expiresAt,
      item.next.limit,
      item.next.token,
      item.next.leaseUntil,
      item.next.expiredError,
      item.next.failedExpiresAt,
    ]);
    const reply = await this.run(
      claimScripts.COMPLETE_AND_CLAIM_MANY,
      input,
      input.items.length,
      ...fields,
    );
    return decodeReply<Array<[number, ...ClaimReply]>>(reply).map(([completed, ...claim]) => ({
      completed: completed === 1,
      ...claimOutcome(claim, input.queue),
    }));
  }

  fail(input: contract.FailInput): Promise<boolean> {
    if (input.retryAt === null) return this.#finish(input, "failed", input.error, input.expiresAt);
    return this.#finish(input, "retry", input.error, input.retryAt);
  }

  release(input: contract.FencedInput): Promise<boolean> {
    return this.#finish(input, "released");
  }

  async cancel(input: contract.CancelInput): Promise<contract.CancelOutcome> {
    return decodeReply<contract.CancelOutcome>(
      await this.run(scripts.CANCEL, input, input.id, input.expiresAt, input.callId),
    );
  }

  async retry(input: contract.RequestedChangeInput): Promise<contract.RetryOutcome> {
    const reply = await this.run(scripts.REDRIVE, input, input.id, input.callId);
    return decodeReply<contract.RetryOutcome>(reply);
  }

  async get(input: contract.JobInput): Promise<contract.JobRecord | null> {
    const fields = decodeReply<string[] | false>(await this.run(scripts.GET, input, input.id));
    return fields ? toJobRecord(fieldsOf(fields), input.queue) : null;
  }

  async readEvents(input: contract.ReadEventsInput): Promise<contract.EventRecord[]> {
    const reply = await this.run(scripts.EVENTS, input, input.id, input.after, input.limit);
    return asArray(decodeReply<string[]>(reply)).map(toEventRecord);
  }

  async list(input: contract.ListInput): Promise<contract.ListOutcome> {
    const after = Number(input.cursor ?? 0) || 0;
    const reply = await this.run(scripts.LIST, input, input.state ?? "", after, input.limit);
    const rows = asArray(decodeReply<string[][]>(reply)).map(fieldsOf);
    const page = rows.slice(0, input.limit);
    const more = rows.length > input.limit;
    const jobs = page.map((fields) => toJobRecord(fields, input.queue));
    return { jobs, cursor: more ? (page.at(-1)?.pos ?? null) : null };
  }

  async stats(input: contract.QueueScope): Promise<JobCounts> {
    const counts = decodeReply<Partial<JobCounts>>(await this.run(scripts.STATS, input));
    return Object.fromEntries(JOB_STATES.map((s) => [s, Number(counts[s] ?? 0)])) as JobCounts;
  }

  async purge(input: contract.PurgeInput): Promise<number> {
    const states = input.states ?? [...JOB_STATES];
    let total = 0;
    for (;;) {
      const reply = await this.run(scripts.PURGE, input, PURGE_CHUNK, ...states);
      const [visible, removed] = decodeReply<[number, number]>(reply);
      total += visible;
      if (removed < PURGE_CHUNK) return total;
    }
  }
}

/** Decodes a claim's jobs, wake-up time and schedules to refill. */
function claimOutcome([jobs, wakeAt, refill]: ClaimReply, queue: string) {
  return {
    claimed: asArray(jobs).map((fields) => toJobRecord(fieldsOf(fields), queue)),
    wakeAt: typeof wakeAt === "number" ? wakeAt : null,
    // By id (code unit order, as the contract's other lists; Lua's `<` follows the locale).
    refill: asArray(refill)
      .map((fields) => toScheduleRecord(fieldsOf(fields)))
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}
