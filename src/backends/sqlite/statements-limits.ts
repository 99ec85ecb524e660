/**
 * Stored limits. A queue's settings are one row of the settings table; per-key overrides live
 * on the key's lane row (created if the key has none yet, so an override can precede the
 * key's first job). The claim reads both in its own batch.
 */
import type { QueueScope, SetKeyLimitsInput, SetQueueLimitsInput } from "../../backend.js";
import type { SqlStatement } from "./client.js";
import type { Tables } from "./schema.js";
import { SqlTexts } from "./sql-text.js";

/** Statements for stored queue limits and key overrides, for one set of tables. */
export class LimitStatements {
  readonly #texts = new SqlTexts();

  constructor(private readonly t: Tables) {}

  /**
   * Writes the queue's settings row (with `onlyIfAbsent`, only where there is none). Type
   * limits are stored sorted by type. Follow it with {@link LimitStatements.getQueue} in the
   * same batch: the answer is the row as stored. Writing the same values again changes
   * nothing, so a re-sent call is harmless.
   */
  setQueue({ queue, limits, onlyIfAbsent }: SetQueueLimitsInput): SqlStatement {
    const text = () => `INSERT INTO ${this.t.settings}
         (queue, key_concurrency, key_rate, key_rate_ms, type_limits)
       VALUES (:queue, :concurrency, :rate, :rateMs, :types)
       ON CONFLICT (queue) DO UPDATE SET key_concurrency = excluded.key_concurrency,
         key_rate = excluded.key_rate, key_rate_ms = excluded.key_rate_ms,
         type_limits = excluded.type_limits
       WHERE NOT :onlyIfAbsent`;
    const types = [...limits.typeRateLimits]
      .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
      .map(({ type, limit, windowMs }) => ({ type, limit, windowMs }));
    return this.#texts.statement("set-queue", text, {
      queue,
      concurrency: limits.keyConcurrency,
      rate: limits.keyRateLimit?.limit ?? null,
      rateMs: limits.keyRateLimit?.windowMs ?? null,
      types: JSON.stringify(types),
      onlyIfAbsent: onlyIfAbsent ? 1 : 0,
    });
  }

  /** The queue's settings row (none: no limits stored). */
  getQueue({ queue }: QueueScope): SqlStatement {
    const text = () => `SELECT key_concurrency, key_rate, key_rate_ms, type_limits
       FROM ${this.t.settings} WHERE queue = :queue`;
    return this.#texts.statement("get-queue", text, { queue });
  }

  /**
   * Upserts a key's overrides: a setting left `undefined` keeps its stored value, `null`
   * removes it. Idempotent, so a re-sent call changes nothing more.
   */
  setKey(input: SetKeyLimitsInput): SqlStatement {
    const { queue, key, concurrency, rateLimit } = input;
    const text = () => `INSERT INTO ${this.t.lanes}
         (queue, key, concurrency, rate_limit, rate_window_ms)
       VALUES (:queue, :key, :concurrency, :rate, :rateMs)
       ON CONFLICT (queue, key) DO UPDATE SET
         concurrency = IIF(:setConcurrency, excluded.concurrency, concurrency),
         rate_limit = IIF(:setRate, excluded.rate_limit, rate_limit),
         rate_window_ms = IIF(:setRate, excluded.rate_window_ms, rate_window_ms)`;
    return this.#texts.statement("set-key", text, {
      queue,
      key,
      concurrency: concurrency ?? null,
      rate: rateLimit?.limit ?? null,
      rateMs: rateLimit?.windowMs ?? null,
      setConcurrency: concurrency === undefined ? 0 : 1,
      setRate: rateLimit === undefined ? 0 : 1,
    });
  }

  /** A key's overrides (no row: none). */
  getKey({ queue, key }: QueueScope & { key: string }): SqlStatement {
    const text = () => `SELECT concurrency, rate_limit, rate_window_ms FROM ${this.t.lanes}
       WHERE queue = :queue AND key = :key`;
    return this.#texts.statement("get-key", text, { queue, key });
  }
}
