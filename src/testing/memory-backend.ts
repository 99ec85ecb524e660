/**
 * `memoryBackend()`: the storage contract (backend.ts) as plain in-memory code — the oracle
 * the differential suite tests every backend against, and the reference for implementers.
 * Every method runs synchronously to its end, so each is atomic. Where the contract is silent
 * it does what the libSQL backend does.
 */
import {
  BACKEND_FEATURES,
  type Backend,
  type BackendCapabilities,
  type BackendFeature,
  type CancelInput,
  type CancelOutcome,
  type ClaimInput,
  type ClaimOutcome,
  type CompleteAndClaimInput,
  type CompleteAndClaimManyInput,
  type CompleteAndClaimOutcome,
  type CompleteInput,
  type EnqueueInput,
  type EnqueueOutcome,
  type EventRecord,
  type FailInput,
  type FeatureMethods,
  type FencedInput,
  type JobInput,
  type JobRecord,
  type KeyLimits,
  type ListInput,
  type ListOutcome,
  type PurgeInput,
  type PutScheduleInput,
  type QueueLimits,
  type QueueScope,
  type ReadEventsInput,
  type RefillScheduleInput,
  type RequestedChangeInput,
  type RetryOutcome,
  type ScheduleRecord,
  type SetKeyLimitsInput,
  type SetQueueLimitsInput,
  type UpdateInput,
  type WatchInput,
} from "../backend.js";
import { JOB_STATES, type JobCounts } from "../job.js";
import { claimJobs, sweepLeases } from "./memory-claim.js";
import * as limits from "./memory-limits.js";
import * as schedules from "./memory-schedules.js";
import { dropExpired, emptyQueue, type MemoryQueue, recordOf } from "./memory-store.js";
import * as writes from "./memory-writes.js";

/** Options for {@link memoryBackend}. */
export interface MemoryBackendOptions {
  /** The optional groups to declare and implement (default: all of them). */
  features?: readonly BackendFeature[] | undefined;
  /** Declared in the capabilities (default 5,000,000, as the shipped backends). */
  maxPayloadBytes?: number | undefined;
}

/** The methods of each optional group (an undeclared group's methods are absent). */
const GROUP_METHODS: { [F in BackendFeature]: ReadonlyArray<keyof FeatureMethods[F]> } = {
  schedules: ["putSchedule", "deleteSchedule", "listSchedules", "refillSchedule"],
  limits: ["setQueueLimits", "getQueueLimits", "setKeyLimits", "getKeyLimits"],
  groupedCompletion: ["completeAndClaim", "completeAndClaimMany"],
  push: ["watch"],
};

/**
 * An in-memory backend implementing every method of the contract, exactly and plainly. It
 * keeps nothing between processes: for tests, and as the executable statement of the rules.
 *
 * @example
 * import { JobQueue } from "jdobb-async-queue";
 * import { memoryBackend } from "jdobb-async-queue/testing";
 * const queue = new JobQueue({ backend: memoryBackend(), name: "emails" });
 */
export function memoryBackend(options: MemoryBackendOptions = {}): Backend {
  return new MemoryBackend(options);
}

class MemoryBackend implements Backend {
  readonly name = "memory";
  readonly capabilities: BackendCapabilities;
  readonly #queues = new Map<string, MemoryQueue>();

  constructor(options: MemoryBackendOptions) {
    const features = BACKEND_FEATURES.filter((f) =>
      (options.features ?? BACKEND_FEATURES).includes(f),
    );
    this.capabilities = { maxPayloadBytes: options.maxPayloadBytes ?? 5_000_000, features };
    for (const feature of BACKEND_FEATURES) {
      if (features.includes(feature)) continue;
      for (const method of GROUP_METHODS[feature]) {
        Object.defineProperty(this, method, { value: undefined });
      }
    }
  }

  #has(feature: BackendFeature): boolean {
    return this.capabilities.features.includes(feature);
  }

  /** The queue's state, with the jobs past their retention gone. */
  #open({ queue, now }: QueueScope): MemoryQueue {
    let q = this.#queues.get(queue);
    if (q === undefined) {
      q = emptyQueue(queue);
      this.#queues.set(queue, q);
    }
    dropExpired(q, now);
    return q;
  }

  async enqueue(input: EnqueueInput): Promise<EnqueueOutcome[]> {
    return writes.enqueueJobs(this.#open(input), input);
  }

  async claim(input: ClaimInput): Promise<ClaimOutcome> {
    const q = this.#open(input);
    this.#sweep(q, input);
    const { jobs, wakeAt } = claimJobs(q, input, this.#has("limits"));
    return { jobs, wakeAt, refill: this.#refills(q, input.now) };
  }

  /** Claim rule 0: expired leases, then due schedules. */
  #sweep(q: MemoryQueue, input: ClaimInput): void {
    sweepLeases(q, input);
    if (this.#has("schedules")) schedules.materialiseDue(q, input.now);
  }

  #refills(q: MemoryQueue, now: number): ScheduleRecord[] {
    return this.#has("schedules") ? schedules.schedulesToRefill(q, now) : [];
  }

  async update(input: UpdateInput): Promise<boolean> {
    return writes.updateJob(this.#open(input), input);
  }

  async complete(input: CompleteInput): Promise<boolean> {
    return writes.completeJob(this.#open(input), input);
  }

  async fail(input: FailInput): Promise<boolean> {
    return writes.failJob(this.#open(input), input);
  }

  async release(input: FencedInput): Promise<boolean> {
    return writes.releaseJob(this.#open(input), input);
  }

  /** A group of one. */
  async completeAndClaim(input: CompleteAndClaimInput): Promise<CompleteAndClaimOutcome> {
    const { queue, now, ...item } = input;
    return this.#completeAndClaimGroup({ queue, now, items: [item] })[0] as CompleteAndClaimOutcome;
  }

  async completeAndClaimMany(input: CompleteAndClaimManyInput): Promise<CompleteAndClaimOutcome[]> {
    return this.#completeAndClaimGroup(input);
  }

  /**
   * The sweep once, first (a completion whose lease ran out completes nothing); then each
   * member's completion and its claim, in order. Refills go to the first member.
   */
  #completeAndClaimGroup(input: CompleteAndClaimManyInput): CompleteAndClaimOutcome[] {
    const { queue, now, items } = input;
    const first = items[0];
    if (first === undefined) return [];
    const q = this.#open(input);
    this.#sweep(q, { ...first.next, queue, now });
    const refill = this.#refills(q, now);
    return items.map((item, i) => {
      const completed = writes.completeJob(q, { ...item, queue, now });
      const { jobs, wakeAt } = claimJobs(q, { ...item.next, queue, now }, this.#has("limits"));
      return { completed, claimed: jobs, wakeAt, refill: i === 0 ? refill : [] };
    });
  }

  async cancel(input: CancelInput): Promise<CancelOutcome> {
    return writes.cancelJob(this.#open(input), input);
  }

  async retry(input: RequestedChangeInput): Promise<RetryOutcome> {
    return writes.retryJob(this.#open(input), input);
  }

  async get(input: JobInput): Promise<JobRecord | null> {
    const job = this.#open(input).jobs.get(input.id);
    return job ? recordOf(job) : null;
  }

  async readEvents(input: ReadEventsInput): Promise<EventRecord[]> {
    const job = this.#open(input).jobs.get(input.id);
    const events = (job?.events ?? []).filter((event) => event.seq > input.after);
    return events.slice(0, input.limit).map((event) => ({ ...event }));
  }

  /** A page in insertion order; the cursor is the last job's insertion position. */
  async list(input: ListInput): Promise<ListOutcome> {
    const after = Number(input.cursor ?? 0) || 0;
    const matching = [...this.#open(input).jobs.values()]
      .filter((job) => input.state === undefined || job.record.state === input.state)
      .filter((job) => job.position > after)
      .sort((a, b) => a.position - b.position);
    const page = matching.slice(0, input.limit);
    const last = page.at(-1);
    const more = matching.length > input.limit && last !== undefined;
    return { jobs: page.map(recordOf), cursor: more ? String(last.position) : null };
  }

  async stats(input: QueueScope): Promise<JobCounts> {
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as JobCounts;
    for (const job of this.#open(input).jobs.values()) counts[job.record.state] += 1;
    return counts;
  }

  /** Deletes the queue's jobs in those states (settings and key overrides stay). */
  async purge(input: PurgeInput): Promise<number> {
    const q = this.#open(input);
    const states = input.states ?? JOB_STATES;
    let removed = 0;
    for (const [id, job] of q.jobs) {
      if (!states.includes(job.record.state)) continue;
      q.jobs.delete(id);
      removed += 1;
    }
    return removed;
  }

  async putSchedule(input: PutScheduleInput): Promise<ScheduleRecord> {
    return schedules.putSchedule(this.#open(input), input);
  }

  async deleteSchedule(input: JobInput): Promise<boolean> {
    return this.#open(input).schedules.delete(input.id);
  }

  async listSchedules(input: QueueScope): Promise<ScheduleRecord[]> {
    return schedules.listSchedules(this.#open(input));
  }

  async refillSchedule(input: RefillScheduleInput): Promise<boolean> {
    return schedules.refillSchedule(this.#open(input), input);
  }

  async setQueueLimits(input: SetQueueLimitsInput): Promise<QueueLimits> {
    return limits.setQueueLimits(this.#open(input), input);
  }

  async getQueueLimits(input: QueueScope): Promise<QueueLimits> {
    return limits.queueLimitsOf(this.#open(input));
  }

  async setKeyLimits(input: SetKeyLimitsInput): Promise<void> {
    limits.setKeyLimits(this.#open(input), input);
  }

  async getKeyLimits(input: QueueScope & { key: string }): Promise<KeyLimits> {
    return limits.keyLimitsOf(this.#open(input), input.key);
  }

  /** Notices after each call that appended to the job's log (none once it is gone). */
  async watch({ onNotice, signal, ...job }: WatchInput): Promise<void> {
    const stored = this.#open(job).jobs.get(job.id);
    if (!stored || signal.aborted) return;
    const watchers = stored.watchers ?? new Set();
    stored.watchers = watchers;
    const notice = () => onNotice();
    watchers.add(notice);
    signal.addEventListener("abort", () => watchers.delete(notice), { once: true });
  }
}
