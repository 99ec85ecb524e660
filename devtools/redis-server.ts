/**
 * Starts a throwaway `redis-server` (the Debian package) on a free loopback port, with no
 * persistence, and stops it again. The chaos harness asks for an append-only file and a fixed
 * port instead, so it can SIGKILL the server and start it again on the same data.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** A running server. */
export interface RedisServer {
  url: string;
  port: number;
  pid: number;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
  /** Sends `signal` (e.g. SIGKILL) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Options for {@link startRedisServer}; the defaults suit tests (free port, no persistence). */
export interface RedisServerOptions {
  /** Default: a free port. */
  port?: number;
  /** Keep data in an append-only file in `dir` (kept across restarts on the same `dir`). */
  appendOnly?: { dir: string; fsync: "always" | "everysec" };
}

/** Whether `redis-server` is on PATH. */
export function hasRedisServer(): boolean {
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function waitForPing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited (${child.exitCode}): ${output()}`);
    }
    const probe = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => {}); // refused while starting: expected
    try {
      await probe.connect();
      if ((await probe.ping()) === "PONG") return;
    } catch {
      // not up yet
    } finally {
      probe.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not answer PING within 5 s: ${output()}`);
}

/** Starts redis-server on 127.0.0.1 and waits until it answers. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const aof = options.appendOnly;
  const persistence = aof
    ? ["--appendonly", "yes", "--appendfsync", aof.fsync, "--dir", aof.dir]
    : ["--appendonly", "no"];
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", ...persistence],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  child.stdout?.on("data", (chunk) => {
    log = (log + String(chunk)).slice(-2_000);
  });
  child.stderr?.on("data", (chunk) => {
    log = (log + String(chunk)).slice(-2_000);
  });
  const url = `redis://127.0.0.1:${port}`;
  await waitForPing(url, child, () => log);
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  };
  return { url, port, pid: child.pid ?? 0, stop: () => kill("SIGTERM"), kill };
}
