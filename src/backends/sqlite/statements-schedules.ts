/**
 * Stored schedules. Tick times are computed by the core; the store keeps the `upcoming` list
 * (JSON) and its first element `next_due` (indexed), so "is anything due?" is one index probe.
 * A statement that sets `fired` makes a trigger insert one job per tick in it (id
 * `<queue>@<schedule id>@<tick>`), unless a job with that id exists.
 */
import {
  type PutScheduleInput,
  type QueueScope,
  type RefillScheduleInput,
  SCHEDULE_REFILL_BELOW,
  SCHEDULES_PER_CLAIM,
} from "../../backend.js";
import type { SqlStatement } from "./client.js";
import type { Tables } from "./schema.js";
import { SqlTexts } from "./sql-text.js";

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

/** The columns of a schedule row that make a `ScheduleRecord`. */
const ROW_COLUMNS = [
  "id",
  ...SPEC_COLUMNS.map(([column]) => column),
  "last_tick_at",
  "version",
  "created_at",
  "updated_at",
];

/** The ticks of a schedule row's `upcoming` list that pass `filter`, as a JSON array. */
const ticks = (filter: string) =>
  `(SELECT json_group_array(value) FROM
     (SELECT value FROM json_each(upcoming) WHERE ${filter} ORDER BY key))`;

/** Statements for stored schedules, for one set of tables. */
export class ScheduleStatements {
  readonly #texts = new SqlTexts();

  constructor(private readonly t: Tables) {}

  /**
   * Materialises up to {@link SCHEDULES_PER_CLAIM} due schedules (first upcoming tick <= now),
   * the earliest first, per the rule on `ScheduleRecord`: with `d` the due ticks and `r` the
   * rest, a schedule with `r` empty is left as it is; else it fires the last of `d` (or all of
   * `d` with `catchUp: "all"`) and keeps `r`. Costs one index probe when none is due.
   * (No RETURNING: that costs more than the probe. See {@link ScheduleStatements.refills}.)
   */
  materialise({ queue, now }: QueueScope): SqlStatement {
    return this.#texts.statement("materialise", () => this.#materialiseText(), { queue, now });
  }

  #materialiseText(): string {
    const { schedules } = this.t;
    // The list is ascending: `r` is not empty when its last tick is ahead.
    const ahead = "(upcoming ->> '$[#-1]') > :now";
    const last = "(SELECT MAX(value) FROM json_each(upcoming) WHERE value <= :now)";
    return `UPDATE ${schedules} SET
         fired = IIF(${ahead},
           IIF(catch_up = 'all', ${ticks("value <= :now")}, json_array(${last})), NULL),
         upcoming = IIF(${ahead}, ${ticks("value > :now")}, upcoming),
         next_due = IIF(${ahead},
           (SELECT MIN(value) FROM json_each(upcoming) WHERE value > :now), next_due),
         last_tick_at = IIF(${ahead}, ${last}, last_tick_at),
         version = version + (${ahead}),
         updated_at = IIF(${ahead}, :now, updated_at), fired_at = IIF(${ahead}, :now, fired_at)
       WHERE rowid IN (SELECT rowid FROM ${schedules} WHERE queue = :queue AND next_due <= :now
         ORDER BY next_due LIMIT ${SCHEDULES_PER_CLAIM})`;
  }

  /**
   * A JSON array (an expression for the claim's last statement) of the schedules that need
   * refilling after a materialisation at `:now`: those a claim fired at `:now` or could not
   * fire (still due), with fewer than `SCHEDULE_REFILL_BELOW` ticks ahead (sorted by id when
   * read).
   */
  refills(): string {
    const { schedules } = this.t;
    const row = `json_object(${ROW_COLUMNS.map((c) => `'${c}', ${c}`).join(", ")})`;
    const low = `(SELECT COUNT(*) FROM json_each(upcoming) WHERE value > :now) < ${SCHEDULE_REFILL_BELOW}`;
    return `(SELECT json_group_array(${row}) FROM (
        SELECT * FROM ${schedules} WHERE queue = :queue AND next_due <= :now AND ${low}
        UNION ALL
        SELECT * FROM ${schedules} WHERE queue = :queue AND fired_at = :now
          AND (next_due IS NULL OR next_due > :now) AND ${low}
        LIMIT ${SCHEDULES_PER_CLAIM}))`;
  }

  /**
   * Creates or replaces a schedule; `last_tick_at` and `created_at` are kept, and so are its
   * upcoming ticks while the cron and time zone stay the same (a tick already due is still
   * fired). The version moves on only when something changed, so a re-sent call changes
   * nothing more.
   */
  put({ queue, now, schedule, upcoming }: PutScheduleInput): SqlStatement {
    const text = () => {
      const columns = SPEC_COLUMNS.map(([column]) => column).join(", ");
      const values = SPEC_COLUMNS.map(([, arg]) => `:${arg}`).join(", ");
      const sameTimes = "cron IS excluded.cron AND timezone IS excluded.timezone";
      const keep = (column: string) =>
        column === "upcoming"
          ? `IIF(${sameTimes}, upcoming, excluded.upcoming)`
          : `excluded.${column}`;
      const changed = SPEC_COLUMNS.filter(([column]) => column !== "upcoming")
        .map(([column]) => `${column} IS NOT excluded.${column}`)
        .join(" OR ");
      return `INSERT INTO ${this.t.schedules} (queue, id, ${columns}, next_due, version,
           created_at, updated_at)
         VALUES (:queue, :id, ${values}, json(:upcoming) ->> 0, 1, :now, :now)
         ON CONFLICT (queue, id) DO UPDATE SET
           ${SPEC_COLUMNS.map(([column]) => `${column} = ${keep(column)}`).join(", ")},
           next_due = IIF(${sameTimes}, next_due, excluded.next_due),
           version = version + (${changed}),
           updated_at = IIF(${changed}, excluded.updated_at, updated_at)
         RETURNING ${ROW_COLUMNS.join(", ")}`;
    };
    return this.#texts.statement("put", text, {
      ...schedule,
      queue,
      now,
      upcoming: JSON.stringify(upcoming),
    });
  }

  remove({ queue, id }: { queue: string; id: string }): SqlStatement {
    const text = () =>
      `DELETE FROM ${this.t.schedules} WHERE queue = :queue AND id = :id RETURNING id`;
    return this.#texts.statement("remove", text, { queue, id });
  }

  list({ queue }: QueueScope): SqlStatement {
    const text = () => `SELECT * FROM ${this.t.schedules} WHERE queue = :queue ORDER BY id`;
    return this.#texts.statement("list", text, { queue });
  }

  /**
   * Fires `fire` and stores the new list, while the schedule has the caller's version (so a
   * re-sent refill finds the version moved on and changes nothing).
   */
  refill(input: RefillScheduleInput): SqlStatement {
    const { queue, now, id, version, fire, upcoming, lastTickAt } = input;
    const text = () => `UPDATE ${this.t.schedules} SET fired = :fire, upcoming = :upcoming,
         next_due = json(:upcoming) ->> 0, last_tick_at = :lastTickAt, version = version + 1,
         updated_at = :now
       WHERE queue = :queue AND id = :id AND version = :version RETURNING id`;
    return this.#texts.statement("refill", text, {
      queue,
      now,
      id,
      version,
      fire: JSON.stringify(fire),
      upcoming: JSON.stringify(upcoming),
      lastTickAt,
    });
  }
}
