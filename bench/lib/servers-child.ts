/**
 * Runs the local store endpoints in their own process, so their CPU does not compete with the
 * code being measured: redis-server, the Upstash-compatible REST endpoint in front of it, and
 * the Hrana endpoint over a libSQL file. Talks to the parent over IPC: on `counts` it answers
 * with cumulative counters (see {@link Counts}), which a measurement turns into deltas.
 */
import { join } from "node:path";
import { Redis } from "ioredis";
import { startRedisServer } from "../../devtools/redis-server.js";
import { startUpstashRestServer } from "../../devtools/upstash-rest-server.js";
import { startHranaServer } from "../../test/support/hrana-server.js";
import { tempDir } from "../../test/support/temp-dir.js";
import type { Counts } from "./servers.js";

const dir = tempDir("jdobb-bench-");
const redis = await startRedisServer();
const rest = await startUpstashRestServer({ redisUrl: redis.url, token: "bench-token" });
const hrana = await startHranaServer({ path: join(dir.path, "remote.db") });
const info = new Redis(redis.url);

/** A field of `INFO` output, as a number. */
const field = (text: string, name: string) =>
  Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(text)?.[1] ?? Number.NaN);

async function counts(): Promise<Counts> {
  const text = await info.info(); // one INFO: cpu and stats sections alike
  const endpoint = process.cpuUsage();
  return {
    restRequests: rest.requests,
    restCommands: rest.commands,
    hranaRequests: hrana.requests,
    redisCpuMicros: Math.round(
      (field(text, "used_cpu_user") + field(text, "used_cpu_sys")) * 1_000_000,
    ),
    redisCommands: field(text, "total_commands_processed"),
    endpointCpuMicros: endpoint.user + endpoint.system,
  };
}

const send = (message: unknown) => process.send?.(message);
send({
  ready: { redisUrl: redis.url, restUrl: rest.url, restToken: rest.token, hranaUrl: hrana.url },
});
process.on("message", async (message: { id: number; cmd: "counts" | "reset" | "stop" }) => {
  if (message.cmd === "reset") rest.resetCounts();
  const answer = await counts();
  if (message.cmd === "stop") {
    info.disconnect();
    await rest.close();
    await hrana.close();
    await redis.stop();
    dir.remove();
  }
  send({ id: message.id, counts: answer });
  if (message.cmd === "stop") process.exit(0);
});
