/** Miniflare options for the Durable Object store, as the example's wrangler.toml declares it. */
import { kCurrentWorker, type WorkerOptions } from "miniflare";

/** The `QUEUES` namespace (SQLite-backed `QueueObject`) and the `QUEUE_DRAIN` self-binding. */
export const DURABLE_OBJECT_OPTIONS: Partial<WorkerOptions> = {
  durableObjects: { QUEUES: { className: "QueueObject", useSQLite: true } },
  serviceBindings: { QUEUE_DRAIN: { name: kCurrentWorker, entrypoint: "QueueDrain" } },
};
