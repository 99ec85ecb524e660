/** The example Worker with only the libSQL backend (over HTTP): built to measure its bundle. */
import { exampleWorker } from "../../examples/cloudflare/queue-worker.js";
import { libsqlBackend } from "../../src/backends/libsql/index.js";

export default exampleWorker((env) =>
  libsqlBackend({ url: env.LIBSQL_URL ?? "", authToken: env.LIBSQL_AUTH_TOKEN }),
);
