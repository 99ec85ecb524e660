/** The example Worker (both backends, picked from the bindings) without the dashboard. */
import { backendFrom, exampleWorker } from "../../examples/cloudflare/queue-worker";

export default exampleWorker(backendFrom);
