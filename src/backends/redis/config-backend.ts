/**
 * What a Redis queue stores besides jobs (features `schedules` and `limits`): schedules, the
 * queue's settings and per-key overrides, each one script of `config-scripts.ts`. The base of
 * {@link RedisBackend}, which adds jobs and claims; it also runs every script for both.
 */
import type * as contract from "../../backend.js";
import type { RedisScriptClient } from "./client.js";
import * as configScripts from "./config-scripts.js";
import {
  decodeReply,
  encodeQueueLimits,
  fieldsOf,
  toKeyLimits,
  toQueueLimits,
  toScheduleRecord,
} from "./replies.js";
import { ScriptRunner } from "./script-runner.js";

/** A list of HGETALL lists as cjson sends it (an empty list comes as `{}`). */
export type Rows = string[][] | Record<string, never>;

/** Schedules and limits over Redis, and the script runner every operation goes through. */
export abstract class RedisConfigBackend
  implements contract.ScheduleMethods, contract.LimitMethods
{
  readonly name: string;
  readonly capabilities: contract.BackendCapabilities;
  readonly #scripts: ScriptRunner;
  readonly #prefix: string;

  constructor(options: {
    redis: RedisScriptClient;
    prefix: string;
    name: string;
    capabilities: contract.BackendCapabilities;
  }) {
    this.name = options.name;
    this.capabilities = options.capabilities;
    this.#prefix = options.prefix;
    this.#scripts = new ScriptRunner(options.redis, options.name);
  }

  /** The queue's namespace: every key of the queue starts with it. */
  protected base(queue: string): string {
    return `${this.#prefix}:{${queue}}:`;
  }

  /** Runs a script for one queue: ARGV starts with the queue's namespace and the time. */
  protected run(
    script: string,
    scope: contract.QueueScope,
    ...args: Array<string | number>
  ): Promise<unknown> {
    const base = this.base(scope.queue);
    // KEYS[1] names a key of the queue's hash-tagged namespace, so cluster clients and
    // multi-shard services send the script to the slot holding every key it touches.
    return this.#scripts.run(
      script,
      [`${base}pos`],
      [base, String(scope.now), ...args.map(String)],
    );
  }

  async putSchedule(input: contract.PutScheduleInput): Promise<contract.ScheduleRecord> {
    const { schedule } = input;
    // Every spec field but the id (its own argument); null fields are left out.
    const fields = Object.entries(schedule).flatMap(([name, value]) =>
      value === null || name === "id" ? [] : [name, String(value)],
    );
    const reply = await this.run(
      configScripts.PUT_SCHEDULE,
      input,
      schedule.id,
      JSON.stringify(input.upcoming),
      ...fields,
    );
    const [stored] = asArray(decodeReply<Rows>(reply));
    return toScheduleRecord(fieldsOf(stored ?? []));
  }

  async deleteSchedule(input: contract.JobInput): Promise<boolean> {
    return Number(await this.run(configScripts.DELETE_SCHEDULE, input, input.id)) === 1;
  }

  async listSchedules(input: contract.QueueScope): Promise<contract.ScheduleRecord[]> {
    const reply = await this.run(configScripts.LIST_SCHEDULES, input);
    return asArray(decodeReply<Rows>(reply)).map((f) => toScheduleRecord(fieldsOf(f)));
  }

  async refillSchedule(input: contract.RefillScheduleInput): Promise<boolean> {
    const reply = await this.run(
      configScripts.REFILL_SCHEDULE,
      input,
      input.id,
      input.version,
      JSON.stringify(input.fire),
      JSON.stringify(input.upcoming),
      input.lastTickAt ?? "",
    );
    return Number(reply) === 1;
  }

  async setKeyLimits(input: contract.SetKeyLimitsInput): Promise<void> {
    // "" leaves a setting as it is, "-" removes the override.
    const concurrency = input.concurrency === null ? "-" : (input.concurrency ?? "");
    const { rateLimit } = input;
    const rate =
      rateLimit === null ? "-" : rateLimit ? `${rateLimit.limit}:${rateLimit.windowMs}` : "";
    await this.run(configScripts.SET_KEY_LIMITS, input, input.key, concurrency, rate);
  }

  async getKeyLimits(input: contract.QueueScope & { key: string }): Promise<contract.KeyLimits> {
    const reply = await this.run(configScripts.GET_KEY_LIMITS, input, input.key);
    return toKeyLimits(decodeReply<[string | false, string | false]>(reply));
  }

  async setQueueLimits(input: contract.SetQueueLimitsInput): Promise<contract.QueueLimits> {
    const limits = encodeQueueLimits(input.limits);
    const reply = await this.run(
      configScripts.SET_QUEUE_LIMITS,
      input,
      limits,
      input.onlyIfAbsent ? "1" : "",
    );
    return toQueueLimits(decodeReply<contract.QueueLimits | false>(reply));
  }

  async getQueueLimits(input: contract.QueueScope): Promise<contract.QueueLimits> {
    const reply = await this.run(configScripts.GET_QUEUE_LIMITS, input);
    return toQueueLimits(decodeReply<contract.QueueLimits | false>(reply));
  }
}

/** cjson encodes an empty Lua table as `{}`: read that as an empty list. */
export function asArray<T>(value: T[] | Record<string, never>): T[] {
  return Array.isArray(value) ? value : [];
}
