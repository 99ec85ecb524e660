/** Parent side of the bench's store endpoints (see servers-child.ts) and backends on them. */
import { fork } from "node:child_process";
import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { libsqlBackend } from "../../src/backends/libsql/node.js";
import { fromIoredis, redisBackend } from "../../src/backends/redis/index.js";
import type { Backend } from "../../src/index.js";

export interface Endpoints {
  redisUrl: string;
  restUrl: string;
  restToken: string;
  hranaUrl: string;
}

/** Cumulative counters of the servers process (take two and subtract). */
export interface Counts {
  /** HTTP requests the Upstash-compatible REST endpoint served (since the last reset). */
  restRequests: number;
  /** Redis commands the REST endpoint forwarded (since the last reset). */
  restCommands: number;
  /** HTTP requests the Hrana endpoint served. */
  hranaRequests: number;
  /** redis-server's CPU time, `INFO` used_cpu_user + used_cpu_sys, in µs (all its threads). */
  redisCpuMicros: number;
  /** `INFO` total_commands_processed: every command Redis ran, inside scripts too. */
  redisCommands: number;
  /** The servers process's own CPU (the REST and Hrana endpoints), `process.cpuUsage()`, µs. */
  endpointCpuMicros: number;
}

export interface Servers extends Endpoints {
  counts(): Promise<Counts>;
  resetCounts(): Promise<void>;
  stop(): Promise<void>;
}

export async function startServers(): Promise<Servers> {
  const child = fork(new URL("./servers-child.ts", import.meta.url).pathname, {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (counts: Counts) => void>();
  let nextId = 0;
  const endpoints = await new Promise<Endpoints>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`bench servers exited (${code})`)));
    child.on("message", (message: { ready?: Endpoints; id?: number; counts?: Counts }) => {
      if (message.ready) resolve(message.ready);
      if (message.id !== undefined && message.counts) pending.get(message.id)?.(message.counts);
    });
  });
  const ask = (cmd: "counts" | "reset" | "stop") =>
    new Promise<Counts>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, cmd });
    });
  return {
    ...endpoints,
    counts: () => ask("counts"),
    resetCounts: async () => {
      await ask("reset");
    },
    stop: async () => {
      child.removeAllListeners("exit");
      await ask("stop");
    },
  };
}

/** The store configurations the bench compares. */
export const CONFIGS = ["libsql-file", "libsql-http", "redis-rest", "redis-tcp"] as const;
export type Config = (typeof CONFIGS)[number];

/** A backend of one configuration, and a function that releases what it opened. */
export function backendFor(
  config: Config,
  servers: Endpoints,
  fileUrl: string,
): { backend: Backend; close(): Promise<void> } {
  switch (config) {
    case "libsql-file":
      return { backend: libsqlBackend({ url: fileUrl }), close: async () => {} };
    case "libsql-http":
      return { backend: libsqlBackend({ url: servers.hranaUrl }), close: async () => {} };
    case "redis-rest": {
      const redis = new UpstashRedis({ url: servers.restUrl, token: servers.restToken });
      return { backend: redisBackend({ redis, prefix: "bench" }), close: async () => {} };
    }
    case "redis-tcp": {
      const client = new IORedis(servers.redisUrl);
      return {
        backend: redisBackend({ redis: fromIoredis(client), prefix: "bench" }),
        close: async () => {
          client.disconnect();
        },
      };
    }
  }
}
