/**
 * What a queue's Durable Object does, apart from the runtime's base class (object.ts): the
 * SQLite core over the object's own database answers each contract call, then the object
 * pushes notices to watchers and moves its alarm. One call is one RPC: its statements run in
 * the object with nothing else interleaved, each batch inside one `transactionSync`.
 */
import { BackendError } from "../../errors.js";
import { SqliteBackend } from "../sqlite/backend.js";
import { classifyInProcessSqlError } from "../sqlite/classify-code.js";
import type { SqliteClient } from "../sqlite/client.js";
import { type Tables, tablesFor } from "../sqlite/schema.js";
import { QueueAlarm } from "./alarm.js";
import { dueTimeOf } from "./due-times.js";
import { type CallRequest, replyWith, replyWithError } from "./envelope.js";
import { DURABLE_OBJECT_MAX_PAYLOAD_BYTES } from "./limits.js";
import { isRemoteMethod, WRITE_METHODS } from "./methods.js";
import type { DrainBinding, DurableObjectStateLike } from "./platform.js";
import { durableObjectSqlClient } from "./sql-client.js";
import { Watchers } from "./watchers.js";

/** The bindings a queue object reads from its Worker's `env`. */
export interface QueueObjectEnv {
  /**
   * A service binding to the Worker itself, entrypoint `QueueDrain` (see `queueDrain`): with
   * it, the object's alarm starts drains when delayed jobs, schedule ticks or lease ends fall
   * due. Without it, the cron trigger drains.
   */
  QUEUE_DRAIN?: DrainBinding | undefined;
}

/** The object's logic: contract calls, watches and the alarm. */
export class QueueHost {
  readonly #client: SqliteClient;
  readonly #tables: Tables = tablesFor("jdobb_");
  readonly #backend: SqliteBackend;
  readonly #watchers: Watchers;
  readonly #alarm: QueueAlarm;

  constructor(ctx: DurableObjectStateLike, env: QueueObjectEnv) {
    const client = durableObjectSqlClient(ctx.storage);
    this.#client = client;
    this.#backend = new SqliteBackend({
      name: "durable-object",
      prefix: "jdobb_",
      client: async () => client,
      ownsClient: false,
      classify: classifyInProcessSqlError,
      maxPayloadBytes: DURABLE_OBJECT_MAX_PAYLOAD_BYTES,
    });
    this.#watchers = new Watchers(client, this.#tables);
    this.#alarm = new QueueAlarm(ctx.storage, env.QUEUE_DRAIN);
    void ctx.blockConcurrencyWhile(() => this.#alarm.load());
  }

  /** Answers one contract call (see envelope.ts); never throws. */
  async call(request: string): Promise<string> {
    try {
      const { method, input } = JSON.parse(request) as CallRequest;
      if (!isRemoteMethod(method)) throw new BackendError(`durable-object: no method "${method}"`);
      const run = this.#backend[method] as (input: unknown) => Promise<unknown>;
      const answer = await run.call(this.#backend, input);
      if (WRITE_METHODS.has(method)) await this.#afterWrite(method, input, answer);
      return replyWith(answer);
    } catch (error) {
      return replyWithError(error);
    }
  }

  /** Moves the alarm and tells watchers; a failure here is not the call's (they poll too). */
  async #afterWrite(...[method, input, answer]: Parameters<typeof dueTimeOf>): Promise<void> {
    this.#alarm.offer(dueTimeOf(method, input, answer));
    await this.#watchers.afterWrite().catch(() => {});
  }

  /** A stream of notices for one job (see watchers.ts). */
  watch(request: string): Promise<ReadableStream<Uint8Array>> {
    const { id } = JSON.parse(request) as { id: string };
    return this.#watchers.open(id);
  }

  /** The alarm fired (see alarm.ts). */
  alarm(): Promise<void> {
    return this.#alarm.fire(this.#client, this.#tables);
  }
}
