/**
 * The example Worker with only the Durable Object store: its classes exported, no outside
 * store client (bench/bundle's wrangler.toml declares no binding; the code is the same).
 */
import { queueDrain } from "jdobb-async-queue/durable-object";
import { exampleWorker } from "../../examples/cloudflare/queue-worker";
import { durableObjectStore } from "../../examples/cloudflare/stores";

const worker = exampleWorker(durableObjectStore);
export default worker;
export { QueueObject } from "jdobb-async-queue/durable-object";
export const QueueDrain = queueDrain(worker);
