/**
 * What a claim returns besides its jobs, dealt with: the wake-up hint an idle worker sleeps
 * by, and the schedules to refill (refilled here, each on its own; failures kept for a worker
 * to report, since they are not the claim's failure: its jobs are leased already). A queue
 * without a cron engine cannot refill: each schedule handed back is one `UNSUPPORTED` error.
 */
import type { Backend, ScheduleRecord } from "../backend.js";
import { refillSchedules } from "../schedules.js";
import { type CronEngine, noCronError } from "./cron-engine.js";

/** Refill errors kept for a worker, at most: a queue no worker drives keeps the latest few. */
const KEPT_ERRORS = 10;

export class ClaimFollowUp {
  #wakeAt: number | null = null;
  #refillErrors: unknown[] = [];

  constructor(
    private readonly backend: Backend,
    private readonly queue: string,
    private readonly cron: CronEngine | undefined,
  ) {}

  /** From the latest claim: when a rate window holding jobs back opens, or null. */
  get wakeAt(): number | null {
    return this.#wakeAt;
  }

  /** Refill errors since the last call. */
  takeRefillErrors(): unknown[] {
    return this.#refillErrors.splice(0);
  }

  /**
   * Keeps the claim's hint and refills the schedules it returned (a failed one comes back).
   * Answers whether a refill went through: then jobs the refill made due (a tick missed
   * during downtime) can be claimed at once.
   */
  async after(
    outcome: { wakeAt: number | null; refill: ScheduleRecord[] },
    now: number,
  ): Promise<boolean> {
    this.#wakeAt = outcome.wakeAt;
    if (outcome.refill.length === 0) return false;
    const scope = { queue: this.queue, now };
    const errors = this.cron
      ? await refillSchedules(this.backend, scope, outcome.refill, this.cron)
      : outcome.refill.map(() => noCronError(this.backend.name));
    this.#refillErrors = [...this.#refillErrors, ...errors].slice(-KEPT_ERRORS);
    return errors.length < outcome.refill.length;
  }
}
