/**
 * Stored schedules. Tick times are computed by the core; the store keeps the `upcoming` list
 * (JSON) and its first element `next_due` (indexed), so "is anything due?" is one index probe.
 * A statement that sets `fired` makes a trigger insert one job per tick in it (id
 * `<schedule id>@<tick>`), unless a job with that id exists.
 */
import type { PutScheduleInput, QueueScope, RefillScheduleInput } from "../../backend.js";
import type { SqlValue, Statement } from "./client.js";
import type { Tables } from "./schema.js";

/** Due schedules materialised per claim. */
export const SCHEDULES_PER_CLAIM = 100;

const sql = (text: string, args: Record<string, SqlValue>): Statement => ({ sql: text, args });

/** The spec columns `putSchedule` replaces, with their argument names. */
const SPEC_COLUMNS: ReadonlyArray<[column: string, arg: string]> = [
  ["cron", "cron"],
  ["timezone", "timezone"],
  ["type", "type"],
  ["payload", "payload"],
  ["priority", "priority"],
  ["max_attempts", "maxAttempts"],
  ["backoff", "backoff"],
  ["concurrency_key", "concurrencyKey"],
  ["catch_up", "catchUp"],
  ["upcoming", "upcoming"],
];

/** The ticks of a schedule row's `upcoming` list that pass `filter`, as a JSON array. */
const ticks = (filter: string) =>
  `(SELECT json_group_array(value) FROM
     (SELECT value FROM json_each(upcoming) WHERE ${filter} ORDER BY key))`;

export class ScheduleStatements {
  constructor(private readonly t: Tables) {}

  /**
   * Materialises up to {@link SCHEDULES_PER_CLAIM} due schedules (first upcoming tick <= now),
   * the earliest first, per the rule on `ScheduleRecord`: with `d` the due ticks and `r` the
   * rest, a schedule with `r` empty is left as it is; else it fires the last of `d` (or all of
   * `d` with `catchUp: "all"`) and keeps `r`. Returns every schedule it looked at, as it is
   * now (the backend keeps those that need refilling). Costs one index probe when none is due.
   */
  materialise({ queue, now }: QueueScope): Statement {
    const { schedules } = this.t;
    return sql(
      `UPDATE ${schedules} AS s SET
         fired = IIF(d.rest IS NULL, NULL, IIF(s.catch_up = 'all', d.due, json_array(d.last))),
         upcoming = COALESCE(d.rest, s.upcoming),
         next_due = IIF(d.rest IS NULL, s.next_due, d.rest ->> 0),
         last_tick_at = IIF(d.rest IS NULL, s.last_tick_at, d.last),
         version = s.version + (d.rest IS NOT NULL),
         updated_at = IIF(d.rest IS NULL, s.updated_at, :now)
       FROM (SELECT rowid AS id, ${ticks("value <= :now")} AS due,
           (SELECT MAX(value) FROM json_each(upcoming) WHERE value <= :now) AS last,
           NULLIF(${ticks("value > :now")}, '[]') AS rest
         FROM ${schedules} WHERE queue = :queue AND next_due <= :now
         ORDER BY next_due LIMIT ${SCHEDULES_PER_CLAIM}) AS d
       WHERE s.rowid = d.id
       RETURNING *`,
      { queue, now },
    );
  }

  /**
   * Creates or replaces a schedule; `last_tick_at` and `created_at` are kept. The version
   * moves on only when something changed, so a re-sent call changes nothing more.
   */
  put({ queue, now, schedule, upcoming }: PutScheduleInput): Statement {
    const columns = SPEC_COLUMNS.map(([column]) => column).join(", ");
    const values = SPEC_COLUMNS.map(([, arg]) => `:${arg}`).join(", ");
    const changed = SPEC_COLUMNS.map(([column]) => `${column} IS NOT excluded.${column}`).join(
      " OR ",
    );
    return sql(
      `INSERT INTO ${this.t.schedules} (queue, id, ${columns}, next_due, version, created_at,
         updated_at)
       VALUES (:queue, :id, ${values}, json(:upcoming) ->> 0, 1, :now, :now)
       ON CONFLICT (queue, id) DO UPDATE SET
         ${SPEC_COLUMNS.map(([column]) => `${column} = excluded.${column}`).join(", ")},
         next_due = excluded.next_due,
         version = version + (${changed}),
         updated_at = IIF(${changed}, excluded.updated_at, updated_at)`,
      { ...schedule, queue, now, upcoming: JSON.stringify(upcoming) },
    );
  }

  remove({ queue, id }: { queue: string; id: string }): Statement {
    return sql(`DELETE FROM ${this.t.schedules} WHERE queue = :queue AND id = :id RETURNING id`, {
      queue,
      id,
    });
  }

  list({ queue }: QueueScope): Statement {
    return sql(`SELECT * FROM ${this.t.schedules} WHERE queue = :queue ORDER BY id`, { queue });
  }

  /**
   * Fires `fire` and stores the new list, while the schedule has the caller's version (so a
   * re-sent refill finds the version moved on and changes nothing).
   */
  refill(input: RefillScheduleInput): Statement {
    const { queue, now, id, version, fire, upcoming, lastTickAt } = input;
    return sql(
      `UPDATE ${this.t.schedules} SET fired = :fire, upcoming = :upcoming,
         next_due = json(:upcoming) ->> 0, last_tick_at = :lastTickAt, version = version + 1,
         updated_at = :now
       WHERE queue = :queue AND id = :id AND version = :version RETURNING id`,
      {
        queue,
        now,
        id,
        version,
        fire: JSON.stringify(fire),
        upcoming: JSON.stringify(upcoming),
        lastTickAt,
      },
    );
  }
}
