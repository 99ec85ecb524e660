/** Miniflare options for the Durable Object store, as the example's wrangler.toml declares it. */
import { kCurrentWorker, type WorkerOptions } from "miniflare";

/** `QueueObject` bound as `QUEUES`, SQLite-backed: what a Worker without alarms needs. */
export const QUEUE_OBJECTS: NonNullable<WorkerOptions["durableObjects"]> = {
  QUEUES: { className: "QueueObject", useSQLite: true },
};

/** The `QUEUES` namespace (SQLite-backed `QueueObject`) and the `QUEUE_DRAIN` self-binding. */
export const DURABLE_OBJECT_OPTIONS: Partial<WorkerOptions> = {
  durableObjects: QUEUE_OBJECTS,
  serviceBindings: { QUEUE_DRAIN: { name: kCurrentWorker, entrypoint: "QueueDrain" } },
};
