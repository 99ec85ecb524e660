/**
 * When a queue's object should wake next (its alarm), as far as one call tells: a delayed
 * job's run time, a claim's lease end, a retry's time, a schedule's next tick, or now for a
 * job made runnable by hand. Read from the call's input and answer, without a query: a time
 * that turns out stale only wakes the object early, and the alarm then reads the truth.
 */
import type * as contract from "../../backend.js";
import type { RemoteMethod } from "./methods.js";

const soonest = (times: Iterable<number | null | undefined>): number | null => {
  let min: number | null = null;
  for (const time of times)
    if (typeof time === "number" && (min === null || time < min)) min = time;
  return min;
};

/**
 * The earliest due time a write adds (null: none). An enqueue's runnable jobs are left to the
 * enqueue's own drain (the kick) or the cron: only delayed ones count.
 */
export function dueTimeOf(method: RemoteMethod, input: unknown, answer: unknown): number | null {
  switch (method) {
    case "enqueue": {
      const { now, jobs } = input as contract.EnqueueInput;
      return soonest(jobs.map((job) => (job.runAt > now ? job.runAt : null)));
    }
    case "claim": {
      const claimed = (answer as contract.ClaimOutcome).jobs.length > 0;
      return claimed ? (input as contract.ClaimInput).leaseUntil : null;
    }
    case "completeAndClaimMany": {
      const { items } = input as contract.CompleteAndClaimManyInput;
      const outcomes = answer as contract.CompleteAndClaimOutcome[];
      return soonest(
        items.map((item, i) => (outcomes[i]?.claimed.length ? item.next.leaseUntil : null)),
      );
    }
    case "completeAndClaim": {
      const claimed = (answer as contract.CompleteAndClaimOutcome).claimed.length > 0;
      return claimed ? (input as contract.CompleteAndClaimInput).next.leaseUntil : null;
    }
    case "fail":
      return answer === true ? (input as contract.FailInput).retryAt : null;
    case "release":
      return answer === true ? (input as contract.QueueScope).now : null;
    case "retry":
      return answer === "redriven" ? (input as contract.QueueScope).now : null;
    case "putSchedule":
      return soonest((answer as contract.ScheduleRecord).upcoming); // as stored
    case "refillSchedule":
      return answer === true ? soonest((input as contract.RefillScheduleInput).upcoming) : null;
    default:
      return null;
  }
}
