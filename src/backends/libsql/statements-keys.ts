/**
 * Per-key limit overrides, stored on the key's lane row (created if the key has none yet, so
 * an override can precede the key's first job). The claim reads them with the lane.
 */
import type { QueueScope, SetKeyLimitsInput } from "../../backend.js";
import type { Statement } from "./client.js";
import type { Tables } from "./schema.js";

export class KeyStatements {
  constructor(private readonly t: Tables) {}

  /**
   * Upserts the overrides: a setting left `undefined` keeps its stored value, `null` removes
   * it. Idempotent, so a re-sent call changes nothing more.
   */
  set(input: SetKeyLimitsInput): Statement {
    const { queue, key, concurrency, rateLimit } = input;
    return {
      sql: `INSERT INTO ${this.t.lanes} (queue, key, concurrency, rate_limit, rate_window_ms)
        VALUES (:queue, :key, :concurrency, :rate, :rateMs)
        ON CONFLICT (queue, key) DO UPDATE SET
          concurrency = IIF(:setConcurrency, excluded.concurrency, concurrency),
          rate_limit = IIF(:setRate, excluded.rate_limit, rate_limit),
          rate_window_ms = IIF(:setRate, excluded.rate_window_ms, rate_window_ms)`,
      args: {
        queue,
        key,
        concurrency: concurrency ?? null,
        rate: rateLimit?.limit ?? null,
        rateMs: rateLimit?.windowMs ?? null,
        setConcurrency: concurrency === undefined ? 0 : 1,
        setRate: rateLimit === undefined ? 0 : 1,
      },
    };
  }

  get({ queue, key }: QueueScope & { key: string }): Statement {
    return {
      sql: `SELECT concurrency, rate_limit, rate_window_ms FROM ${this.t.lanes}
        WHERE queue = :queue AND key = :key`,
      args: { queue, key },
    };
  }
}
