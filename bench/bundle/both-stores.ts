/** The example Worker with both outside stores (Upstash or Turso, by `STORE`), no dashboard. */
import { exampleWorker } from "../../examples/cloudflare/queue-worker";
import { tursoStore, upstashStore } from "../../examples/cloudflare/stores";

export default exampleWorker((env) =>
  env.STORE === "turso" ? tursoStore(env) : upstashStore(env),
);
