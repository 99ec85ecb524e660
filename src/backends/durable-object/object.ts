/**
 * The classes a Worker exports for the Durable Object store: `QueueObject` (one object per
 * queue, holding its jobs in the object's own SQLite database) and, for alarms, the
 * `QueueDrain` entrypoint the object calls through a service binding. Workers-only: this file
 * imports `cloudflare:workers`.
 */
import { DurableObject, WorkerEntrypoint } from "cloudflare:workers";
import { QueueHost, type QueueObjectEnv } from "./host.js";
import type {
  DrainBinding,
  DurableObjectStateLike,
  WorkerContext,
  WorkerScheduledEvent,
} from "./platform.js";

/** A queue object as the runtime and the Worker side see it: its RPC methods and alarm. */
export interface QueueObjectInstance {
  /** RPC: one contract call (JSON envelopes; see `durableObjectBackend`). */
  call(request: string): Promise<string>;
  /** RPC: a stream of notices for one job. */
  watch(request: string): Promise<ReadableStream<Uint8Array>>;
  /** The object's alarm: starts a drain when something fell due. */
  alarm(): Promise<void>;
}

/**
 * The class of {@link QueueObject}, typed without the runtime's own types (its declaration
 * needs no `@cloudflare/workers-types`).
 */
export type QueueObjectClass = new (
  ctx: DurableObjectStateLike,
  env: QueueObjectEnv,
) => QueueObjectInstance;

/**
 * A queue's Durable Object. Export it from the Worker and bind it (SQLite-backed):
 *
 * @example
 * // worker.ts
 * export { QueueObject } from "jdobb-async-queue/durable-object";
 * // wrangler.toml
 * // [[durable_objects.bindings]]
 * // name = "QUEUES"
 * // class_name = "QueueObject"
 * // [[migrations]]
 * // tag = "v1"
 * // new_sqlite_classes = ["QueueObject"]
 */
export const QueueObject: QueueObjectClass = class QueueObject
  extends DurableObject<QueueObjectEnv>
  implements QueueObjectInstance
{
  readonly #host: QueueHost;

  constructor(ctx: DurableObjectStateLike, env: QueueObjectEnv) {
    super(ctx, env);
    this.#host = new QueueHost(ctx, env);
  }

  call(request: string): Promise<string> {
    return this.#host.call(request);
  }

  watch(request: string): Promise<ReadableStream<Uint8Array>> {
    return this.#host.watch(request);
  }

  alarm(): Promise<void> {
    return this.#host.alarm();
  }
};

/** The part of a `cloudflareWorker` the drain entrypoint runs: its cron handler. */
export interface ScheduledHandler<Env> {
  scheduled(event: WorkerScheduledEvent, env: Env, ctx: WorkerContext): Promise<void>;
}

/** The class {@link queueDrain} makes: a `WorkerEntrypoint` with one RPC method. */
export type QueueDrainClass<Env> = new (ctx: WorkerContext, env: Env) => DrainBinding;

/**
 * The `QueueDrain` entrypoint for a Worker's queue objects' alarms: export it under that name
 * and bind it to the Worker itself as `QUEUE_DRAIN`. An alarm then drains as a cron tick would.
 *
 * @example
 * const worker = cloudflareWorker<Env>({ setup });
 * export default worker;
 * export const QueueDrain = queueDrain(worker);
 * // wrangler.toml
 * // [[services]]
 * // binding = "QUEUE_DRAIN"
 * // service = "<this Worker's name>"
 * // entrypoint = "QueueDrain"
 */
export function queueDrain<Env>(worker: ScheduledHandler<Env>): QueueDrainClass<Env> {
  return class QueueDrain extends WorkerEntrypoint<Env> {
    /** Starts a drain of the Worker's queue, as a cron tick would, and returns at once. */
    async drain(): Promise<void> {
      const tick = { cron: "alarm", scheduledTime: Date.now() };
      // The tick's own waitUntil keeps the drain alive; its failure is the drain's to log.
      this.ctx.waitUntil(worker.scheduled(tick, this.env, this.ctx).catch(() => {}));
    }
  };
}
