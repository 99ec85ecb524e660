/** The example Worker with only the libSQL backend (over HTTP): built to measure its bundle. */
import { libsqlBackend } from "jdobb-async-queue/libsql";
import { exampleWorker } from "../../examples/cloudflare/queue-worker";

export default exampleWorker((env) =>
  libsqlBackend({ url: env.LIBSQL_URL ?? "", authToken: env.LIBSQL_AUTH_TOKEN }),
);
