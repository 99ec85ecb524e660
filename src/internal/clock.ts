/**
 * Time as an argument: the core reads time and waits only through a {@link Clock}, so tests
 * drive leases, delays, backoff and polling with a {@link ManualClock} instead of sleeping.
 */

/** Reads the time and waits. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or early (never rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The wall clock and real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener("abort", done, { once: true });
    }),
};

interface Sleeper {
  wakeAt: number;
  resolve: () => void;
}

/**
 * A clock that moves only when told to. `sleep` parks until {@link ManualClock.advance} passes
 * its wake time (or its signal aborts), so a test controls every timer in the core.
 *
 * @example
 * const clock = new ManualClock(1_000_000);
 * const queue = new JobQueue({ backend, clock });
 * await queue.enqueue("send", {}, { delayMs: 5_000 });
 * expect(await queue.claim()).toBeNull();
 * await clock.advance(5_000);
 * expect(await queue.claim()).not.toBeNull();
 */
export class ManualClock implements Clock {
  #now: number;
  #sleepers = new Set<Sleeper>();
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = {
        wakeAt: this.#now + Math.max(0, ms),
        resolve: () => {
          this.#sleepers.delete(sleeper);
          signal?.removeEventListener("abort", sleeper.resolve);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener("abort", sleeper.resolve, { once: true });
      this.#notifyWaiters();
    });
  }

  /** How many `sleep` calls are parked right now. */
  get sleeping(): number {
    return this.#sleepers.size;
  }

  /** Resolves once at least `count` sleeps are parked: a sync point for "the loop is idle". */
  untilSleeping(count = 1): Promise<void> {
    if (this.#sleepers.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Moves time forward, wakes every sleeper that is due, then lets their callbacks run. */
  async advance(ms: number): Promise<void> {
    this.#now += ms;
    const due = [...this.#sleepers]
      .filter((s) => s.wakeAt <= this.#now)
      .sort((a, b) => a.wakeAt - b.wakeAt);
    for (const sleeper of due) sleeper.resolve();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }

  #notifyWaiters(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (this.#sleepers.size < w.count) return true;
      w.resolve();
      return false;
    });
  }
}
