/** The example Worker with only the D1 store: built to measure its bundle. */
import { exampleWorker } from "../../examples/cloudflare/queue-worker";
import { d1Store } from "../../examples/cloudflare/stores";

export default exampleWorker(d1Store);
