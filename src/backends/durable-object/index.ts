/**
 * `jdobb-async-queue/durable-object`: the Cloudflare-native store. Each queue lives in its
 * own SQLite-backed Durable Object; the Worker exports `QueueObject` (and, for alarms,
 * `QueueDrain`) and builds its queue on `durableObjectBackend(env.QUEUES)`. Workers only.
 *
 * @example
 * import { cloudflareWorker } from "jdobb-async-queue/cloudflare";
 * import { durableObjectBackend, queueDrain } from "jdobb-async-queue/durable-object";
 * const worker = cloudflareWorker<Env>({
 *   setup: (env) => {
 *     const queue = new JobQueue({ backend: durableObjectBackend(env.QUEUES) });
 *     return { queue, worker: new Worker(queue).handler("email", send), routes: { auth } };
 *   },
 * });
 * export default worker;
 * export const QueueDrain = queueDrain(worker);
 * export { QueueObject } from "jdobb-async-queue/durable-object";
 */
export { durableObjectBackend } from "./backend.js";
export type { QueueObjectEnv } from "./host.js";
export { DURABLE_OBJECT_MAX_PAYLOAD_BYTES } from "./limits.js";
export {
  type QueueDrainClass,
  QueueObject,
  type QueueObjectClass,
  type QueueObjectInstance,
  queueDrain,
  type ScheduledHandler,
} from "./object.js";
export type {
  DrainBinding,
  DurableObjectStateLike,
  QueueObjectNamespace,
  WorkerContext,
  WorkerScheduledEvent,
} from "./platform.js";
