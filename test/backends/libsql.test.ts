import { join } from "node:path";
import { libsqlBackend as portableBackend } from "../../src/backends/libsql/index.js";
import { libsqlBackend } from "../../src/backends/libsql/node.js";
import { testBackend } from "../../src/testing/index.js";
import { startHranaServer } from "../support/hrana-server.js";
import { tempDir } from "../support/temp-dir.js";

testBackend({
  name: "libsql :memory: (embedded engine, Node entry)",
  create: () => libsqlBackend({ url: ":memory:" }),
});

const fileDir = tempDir();
testBackend({
  name: "libsql file: (embedded engine, Node entry)",
  create: () => libsqlBackend({ url: `file:${join(fileDir.path, "queue.db")}` }),
  teardown: () => fileDir.remove(),
});

const portableDir = tempDir();
testBackend({
  name: "libsql file: (@libsql/client, portable entry)",
  create: () => portableBackend({ url: `file:${join(portableDir.path, "queue.db")}` }),
  teardown: () => portableDir.remove(),
  // @libsql/client's local client and HTTP cost ~1 ms a call: a quarter of the differential
  // calls keeps them under 15 s each (the embedded entries run the full 2,000).
  differentialOps: 500,
});

const httpDir = tempDir();
let stopHrana: () => Promise<void> = async () => {};
testBackend({
  name: "libsql over HTTP (Hrana)",
  create: async () => {
    const server = await startHranaServer({
      path: join(httpDir.path, "remote.db"),
      authToken: "secret-token",
    });
    stopHrana = () => server.close();
    return libsqlBackend({ url: server.url, authToken: "secret-token" });
  },
  teardown: async () => {
    await stopHrana();
    httpDir.remove();
  },
  differentialOps: 500,
});
