/**
 * A queue's limits, kept in the store (feature `limits`): the queue-wide settings record and
 * the per-key overrides. Claims read them inside the store, so every process claims under the
 * same limits.
 *
 * The `keys` / `rateLimits` queue options are the migration path from the time limits were
 * per-process: they seed the settings record before this queue object's first claim, only
 * where the queue has none stored yet. Should the stored record differ, the store's record
 * applies and one warning (code `LIMITS_DIFFER`) says so.
 */
import type { Backend, KeyLimits, QueueLimits } from "../backend.js";
import type { QueueLimitOptions } from "../limits.js";
import type { Clock } from "./clock.js";
import { requireFeature } from "./features.js";

// A queue's limits as applications write them: user vocabulary, defined with the other limits.
export type { QueueLimitOptions };

/** The settings record of already-checked options. */
export function toQueueLimits(options: QueueLimitOptions): QueueLimits {
  const types = Object.entries(options.rateLimits ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    keyConcurrency: options.keys?.concurrency ?? null,
    keyRateLimit: options.keys?.rateLimit ?? null,
    typeRateLimits: types.map(([type, { limit, windowMs }]) => ({ type, limit, windowMs })),
  };
}

/** The options a settings record stands for (what `queue.limits()` answers). */
export function toLimitOptions(limits: QueueLimits): QueueLimitOptions {
  const keys: NonNullable<QueueLimitOptions["keys"]> = {};
  if (limits.keyConcurrency !== null) keys.concurrency = limits.keyConcurrency;
  if (limits.keyRateLimit !== null) keys.rateLimit = limits.keyRateLimit;
  const rateLimits = Object.fromEntries(
    limits.typeRateLimits.map(({ type, limit, windowMs }) => [type, { limit, windowMs }]),
  );
  return {
    ...(Object.keys(keys).length > 0 ? { keys } : {}),
    ...(limits.typeRateLimits.length > 0 ? { rateLimits } : {}),
  };
}

const same = (a: QueueLimits, b: QueueLimits) => JSON.stringify(a) === JSON.stringify(b);

/** One queue's limits in the store. */
export class LimitSettings {
  /** The options to seed the store with before the first claim (null: nothing to do). */
  #seed: QueueLimits | null;
  #seeding: Promise<void> | null = null;

  constructor(
    private readonly backend: Backend,
    private readonly queue: string,
    private readonly clock: Clock,
    seed: QueueLimits | null,
  ) {
    this.#seed = seed;
  }

  /**
   * Before a claim: seeds the store from the options once (a failure is tried again by the
   * next claim). Costs nothing once done, or when no option was given.
   */
  beforeClaim(): Promise<void> | undefined {
    if (this.#seed === null) return undefined;
    this.#seeding ??= this.#seedStore().finally(() => {
      this.#seeding = null;
    });
    return this.#seeding;
  }

  async #seedStore(): Promise<void> {
    const limits = this.#seed;
    if (limits === null) return;
    const backend = requireFeature(this.backend, "limits");
    const stored = await backend.setQueueLimits({
      ...this.#scope(),
      limits,
      onlyIfAbsent: true,
    });
    this.#seed = null;
    if (!same(stored, limits)) {
      console.warn(
        `jdobb-async-queue: LIMITS_DIFFER queue ${this.queue}: the stored limits apply, not this process's keys/rateLimits options (change them with queue.setLimits)`,
      );
    }
  }

  /** Replaces the queue's settings record. */
  async set(limits: QueueLimits): Promise<void> {
    await requireFeature(this.backend, "limits").setQueueLimits({ ...this.#scope(), limits });
    this.#seed = null;
  }

  /** The queue's settings record. */
  get(): Promise<QueueLimits> {
    return requireFeature(this.backend, "limits").getQueueLimits(this.#scope());
  }

  /** Changes a key's overrides (`undefined` leaves a setting, `null` removes it). */
  async setKey(key: string, change: Partial<KeyLimits>): Promise<void> {
    await requireFeature(this.backend, "limits").setKeyLimits({ ...this.#scope(), key, ...change });
  }

  /** A key's overrides. */
  getKey(key: string): Promise<KeyLimits> {
    return requireFeature(this.backend, "limits").getKeyLimits({ ...this.#scope(), key });
  }

  #scope() {
    return { queue: this.queue, now: this.clock.now() };
  }
}
