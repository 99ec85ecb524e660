/**
 * Runs the local store endpoints in their own process, so their CPU does not compete with the
 * code being measured: redis-server, the Upstash-compatible REST endpoint in front of it, and
 * the Hrana endpoint over a libSQL file. Talks to the parent over IPC.
 */
import { join } from "node:path";
import { startRedisServer } from "../../devtools/redis-server.js";
import { startUpstashRestServer } from "../../devtools/upstash-rest-server.js";
import { startHranaServer } from "../../test/support/hrana-server.js";
import { tempDir } from "../../test/support/temp-dir.js";

const dir = tempDir("jdobb-bench-");
const redis = await startRedisServer();
const rest = await startUpstashRestServer({ redisUrl: redis.url, token: "bench-token" });
const hrana = await startHranaServer({ path: join(dir.path, "remote.db") });

const send = (message: unknown) => process.send?.(message);
send({
  ready: { redisUrl: redis.url, restUrl: rest.url, restToken: rest.token, hranaUrl: hrana.url },
});
process.on("message", async (message: { id: number; cmd: "counts" | "reset" | "stop" }) => {
  if (message.cmd === "reset") rest.resetCounts();
  if (message.cmd === "stop") {
    await rest.close();
    await hrana.close();
    await redis.stop();
    dir.remove();
  }
  send({
    id: message.id,
    counts: {
      restRequests: rest.requests,
      restCommands: rest.commands,
      hranaRequests: hrana.requests,
    },
  });
  if (message.cmd === "stop") process.exit(0);
});
