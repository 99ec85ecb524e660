/**
 * What the differential suite knows about its queue while it runs — the clock, the jobs, the
 * claims held, the schedules — learnt from the oracle's answers, so each next call can be one
 * that matters (a held job's token, a schedule that asked for a refill).
 */
import type { BackendFeature, JobRecord, NewJobRecord, ScheduleRecord } from "../backend.js";
import type { DifferentialConfig } from "./differential-configs.js";
import type { Random } from "./differential-random.js";

/** A job a claim handed out, and the claim's token and lease end. */
export interface Held {
  id: string;
  token: string;
  leaseUntil: number;
}

/** The clock starts here (as the conformance harness does). */
export const START = Date.UTC(2026, 0, 1);
/** The error a claim gives a job whose lease ran out with no attempts left. */
export const EXPIRED_ERROR = JSON.stringify({ code: "LEASE_EXPIRED", message: "expired" });
/** Retention of finished jobs: short enough that the clock passes it in a run. */
export const RETENTION_MS = 120_000;

/** The run's knowledge of its queue, and the draws that depend on it. */
export class DifferentialModel {
  now = START;
  readonly jobIds: string[] = [];
  /** Every job sent to enqueue. */
  readonly sent: NewJobRecord[] = [];
  readonly held = new Map<string, Held>();
  /** Every claim token handed out (stale tokens for fenced writes). */
  readonly tokens: string[] = [];
  /** Each schedule's tick period, as last saved. */
  readonly periods = new Map<string, number>();
  /** Schedules the latest claim asked to refill. */
  refills: ScheduleRecord[] = [];
  #serial = 0;

  constructor(
    readonly queue: string,
    readonly config: DifferentialConfig,
    readonly random: Random,
    readonly features: readonly BackendFeature[],
  ) {}

  has(feature: BackendFeature): boolean {
    return this.features.includes(feature);
  }

  scope(): { queue: string; now: number } {
    return { queue: this.queue, now: this.now };
  }

  /** A number unique in this run (ids, results, messages). */
  serial(): number {
    this.#serial += 1;
    return this.#serial;
  }

  /**
   * A job to enqueue, drawn per the configuration — now and then one sent before again (a
   * late re-send), or its id with other content (which fails the whole call).
   */
  newJob(): NewJobRecord {
    const { random: r, config } = this;
    const earlier = this.sent.length > 0 && r.chance(0.04) ? r.pick(this.sent) : undefined;
    if (earlier) return r.chance(0.5) ? earlier : { ...earlier, payload: '"other"' };
    const n = this.serial();
    const delayed = r.chance(0.25);
    const job: NewJobRecord = {
      id: `${this.queue}-j${n}`,
      type: r.pick(config.types),
      payload: JSON.stringify({ n }),
      priority: r.int(0, config.priorities - 1),
      runAt: delayed ? this.now + r.int(1, 20_000) : this.now - r.int(0, 3) * 1_000,
      maxAttempts: r.int(1, 3),
      backoff: r.chance(0.2) ? JSON.stringify({ type: "fixed", delayMs: 1_000 }) : null,
      idempotencyKey: r.chance(0.15) ? `idem-${r.int(0, 7)}` : null,
      concurrencyKey: config.keys > 0 && r.chance(config.keyedShare) ? this.key() : null,
    };
    this.sent.push(job);
    return job;
  }

  key(): string {
    return `k${this.random.int(0, Math.max(this.config.keys, 1) - 1)}`;
  }

  /** A known job id, now and then one that never existed. */
  jobId(): string {
    if (this.jobIds.length === 0 || this.random.chance(0.05)) return `${this.queue}-missing`;
    return this.random.pick(this.jobIds);
  }

  token(): string {
    const token = `c-${this.random.hex()}`;
    this.tokens.push(token);
    return token;
  }

  /** A held job, with its own token — or now and then a stale or unknown one. */
  heldJob(): Held | undefined {
    if (this.held.size === 0) return undefined;
    const all = [...this.held.values()];
    const leased = all.filter((held) => held.leaseUntil > this.now);
    const held = this.random.pick(leased.length > 0 && this.random.chance(0.85) ? leased : all);
    if (!this.random.chance(0.15)) return held;
    const token = this.random.chance(0.5)
      ? this.random.pick(this.tokens)
      : `c-${this.random.hex()}`;
    return { ...held, token };
  }

  /** Several distinct held jobs (for grouped completions). */
  heldJobs(max: number): Held[] {
    const picked = new Map<string, Held>();
    for (let i = 0; i < max; i++) {
      const held = this.heldJob();
      if (held) picked.set(held.id, held);
    }
    return [...picked.values()];
  }

  seeJobs(ids: readonly string[]): void {
    for (const id of ids) if (!this.jobIds.includes(id)) this.jobIds.push(id);
  }

  seeClaim(jobs: readonly JobRecord[], token: string, leaseUntil: number): void {
    this.seeJobs(jobs.map((job) => job.id));
    for (const job of jobs) this.held.set(job.id, { id: job.id, token, leaseUntil });
  }

  /**
   * After a fenced write with `held`'s token: a refusal means the job is no longer ours; a
   * final write that applied ends the hold.
   */
  settle(held: Held, applied: boolean, final: boolean): void {
    if (this.held.get(held.id)?.token !== held.token) return;
    if (!applied || final) this.held.delete(held.id);
  }
}
