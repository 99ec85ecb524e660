/**
 * Groups concurrent `completeAndClaim` calls of every queue object over one backend and queue
 * name into one `completeAndClaimMany` call: one round trip (one transaction) for the busy
 * workers' completions and next claims together. A group is sent one macrotask after its first
 * member joined — a lone job waits no longer than that — or at once when it is full. Groups do
 * not wait for each other: a new one forms while the last is in flight.
 */
import {
  type Backend,
  type CompleteAndClaimInput,
  type CompleteAndClaimItem,
  type CompleteAndClaimOutcome,
  type GroupedCompletionMethods,
  hasFeature,
} from "../backend.js";
import { BackendError } from "../errors.js";
import type { Clock } from "./clock.js";

/** Members per group, and the results' bytes per group, before it is sent without waiting. */
export const GROUP_LIMITS = { members: 50, bytes: 1_000_000 } as const;

type Combinable = Backend & GroupedCompletionMethods;

interface Member {
  item: CompleteAndClaimItem;
  /** The clock reading the member's times (its next claim's lease) were computed from. */
  now: number;
  resolve(outcome: CompleteAndClaimOutcome): void;
  reject(error: unknown): void;
}

/** `setImmediate` where the runtime has it (Node); typed here, as Workers' types lack it. */
const setImmediateFn = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

/** Runs `fn` after the current macrotask (setImmediate, or setTimeout 0 where it is missing). */
const nextMacrotask: (fn: () => void) => void = setImmediateFn
  ? (fn) => void setImmediateFn(fn)
  : (fn) => void setTimeout(fn, 0);

export class WriteCombiner {
  #members: Member[] = [];
  #bytes = 0;
  #scheduled = false;

  constructor(
    private readonly backend: Combinable,
    private readonly queue: string,
    private readonly clock: Clock,
  ) {}

  /** Completes one job and claims its successors, as part of the next group. */
  submit(input: CompleteAndClaimInput): Promise<CompleteAndClaimOutcome> {
    const { queue: _queue, now, ...item } = input;
    return new Promise((resolve, reject) => {
      this.#members.push({ item, now, resolve, reject });
      this.#bytes += item.result.length;
      if (this.#members.length >= GROUP_LIMITS.members || this.#bytes >= GROUP_LIMITS.bytes) {
        void this.#send();
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        nextMacrotask(() => void this.#send());
      }
    });
  }

  async #send(): Promise<void> {
    const group = this.#members;
    this.#members = [];
    this.#bytes = 0;
    this.#scheduled = false;
    if (group.length === 0) return;
    const scope = { queue: this.queue, now: this.clock.now() };
    const items = group.map((member) => rebase(member, scope.now));
    if (group.length === 1) {
      const [member] = group as [Member];
      return this.backend
        .completeAndClaim({ ...(items[0] as CompleteAndClaimItem), ...scope })
        .then(member.resolve, member.reject);
    }
    try {
      const outcomes = await this.backend.completeAndClaimMany({ ...scope, items });
      group.forEach((member, i) => {
        const outcome = outcomes[i];
        if (outcome) member.resolve(outcome);
        else member.reject(new BackendError(`${this.backend.name}: no outcome for a group member`));
      });
    } catch (error) {
      // The store refused the group (a member's data, say): each member on its own, so one
      // bad member cannot fail the rest. An outage fails them all alike.
      if (!(error instanceof BackendError)) {
        for (const member of group) member.reject(error);
        return;
      }
      group.forEach((member, i) => {
        this.backend
          .completeAndClaim({ ...(items[i] as CompleteAndClaimItem), ...scope })
          .then(member.resolve, member.reject);
      });
    }
  }
}

/**
 * A member's item with its next claim's lease (and dead-letter retention) moved forward by
 * the time it waited for the group to be sent. The group is sent with one, later, clock
 * reading; a lease computed from the member's own reading would start in the past by that
 * wait — when the event loop was held up meanwhile (a synchronous store busy-waiting on a
 * lock, a paused process), a lease granted already expired, and two workers held the job.
 */
function rebase(member: Member, now: number): CompleteAndClaimItem {
  const waited = now - member.now;
  if (!(waited > 0)) return member.item;
  const { next } = member.item;
  return {
    ...member.item,
    next: {
      ...next,
      leaseUntil: next.leaseUntil + waited,
      failedExpiresAt: next.failedExpiresAt + waited,
    },
  };
}

const combiners = new WeakMap<Backend, Map<string, WeakMap<Clock, WriteCombiner>>>();

/**
 * The combiner every queue object over `backend`, queue `name` and `clock` shares, or null
 * when the backend cannot take groups (then each completion is its own call). Queue objects
 * with different clocks (tests with a `ManualClock` each) never share a group: a group is
 * sent with one clock reading.
 */
export function combinerFor(backend: Backend, name: string, clock: Clock): WriteCombiner | null {
  if (!hasFeature(backend, "groupedCompletion")) return null;
  const byName = combiners.get(backend) ?? new Map<string, WeakMap<Clock, WriteCombiner>>();
  combiners.set(backend, byName);
  const byClock = byName.get(name) ?? new WeakMap<Clock, WriteCombiner>();
  byName.set(name, byClock);
  const combiner = byClock.get(clock) ?? new WriteCombiner(backend, name, clock);
  byClock.set(clock, combiner);
  return combiner;
}

/**
 * How a queue object completes a job and claims the next in one call: through the shared
 * combiner where the backend takes groups, else the backend's own `completeAndClaim`, else
 * undefined (two calls then). Resolved once per queue object, not per job.
 */
export function completeAndClaimCall(
  backend: Backend,
  name: string,
  clock: Clock,
): ((input: CompleteAndClaimInput) => Promise<CompleteAndClaimOutcome>) | undefined {
  const combiner = combinerFor(backend, name, clock);
  if (combiner) return (input) => combiner.submit(input);
  return undefined;
}
