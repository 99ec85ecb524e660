/**
 * A local Upstash-REST-compatible endpoint in front of a real `redis-server`, so
 * `@upstash/redis` can be tested (and used offline) exactly as it talks to Upstash:
 *
 *   POST /            ["SET","k","v"]              → {"result": …} | 400 {"error": …}
 *   POST /pipeline    [["INCR","c"],["GET","k"]]   → [{"result": …} | {"error": …}, …]
 *   POST /multi-exec  [[…],[…]]                    → [{"result": …}, …] (own connection)
 *   POST /subscribe/<channel>                      → text/event-stream, as Upstash sends it:
 *                                                    `data: subscribe,<channel>,1`, then
 *                                                    `data: message,<channel>,<message>` per
 *                                                    message (own connection, until closed)
 *
 * With `Upstash-Encoding: base64` (which the client always sends) every string in a result is
 * base64-encoded, except a plain "OK"; integers and nulls are sent as is. Errors are never
 * encoded. Requests need `Authorization: Bearer <token>`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";

/** A running endpoint, with counters for store-call accounting in tests and benchmarks. */
export interface UpstashRestServer {
  url: string;
  token: string;
  /** HTTP requests served (each is one client round trip). */
  readonly requests: number;
  /** Redis commands forwarded. */
  readonly commands: number;
  resetCounts(): void;
  /**
   * Fault injection: the next `n` requests run their commands on Redis, then lose the reply
   * (the connection is destroyed instead of answered), as when a network drops mid-response.
   */
  dropReplies(n: number): void;
  /** Fault injection: ends every open subscription stream, as when a network drops it. */
  dropSubscriptions(): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

type Command = Array<string | number | boolean>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function encodeResult(value: unknown, base64: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (Array.isArray(value)) return value.map((item) => encodeResult(item, base64));
  const buffer = Buffer.isBuffer(value) ? value : Buffer.from(String(value));
  const text = buffer.toString("utf8");
  if (!base64 || text === "OK") return text;
  return buffer.toString("base64");
}

/** One command's reply in Upstash's shape. */
async function execute(redis: Redis, command: Command, base64: boolean) {
  const [name, ...args] = command.map(String);
  if (!name) return { error: "ERR empty command" };
  try {
    return { result: encodeResult(await redis.callBuffer(name, ...args), base64) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, "ERR max request size exceeded");
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "ERR failed to parse command");
  }
}

function asCommands(body: unknown, nested: boolean): Command[] {
  const ok = (c: unknown) => Array.isArray(c) && c.length > 0;
  if (!nested) {
    if (!ok(body)) throw new HttpError(400, "ERR failed to parse command");
    return [body as Command];
  }
  if (!Array.isArray(body) || !body.every(ok))
    throw new HttpError(400, "ERR failed to parse pipeline");
  return body as Command[];
}

/** Starts the endpoint on a free loopback port, forwarding to the Redis at `redisUrl`. */
export async function startUpstashRestServer(options: {
  redisUrl: string;
  token: string;
  /** Default: a free port. */
  port?: number;
}): Promise<UpstashRestServer> {
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
  // While redis-server is down, commands fail (and are answered as errors) and ioredis
  // reconnects by itself; without a listener it would also print every refused reconnect.
  redis.on("error", () => {});
  const counts = { requests: 0, commands: 0 };
  const streams = new Set<ServerResponse>();
  let repliesToDrop = 0;

  const multiExec = async (commands: Command[], base64: boolean) => {
    const conn = redis.duplicate(); // a transaction gets its own connection
    try {
      await conn.call("MULTI");
      for (const command of commands) {
        const queued = await execute(conn, command, false);
        if ("error" in queued) {
          await conn.call("DISCARD");
          throw new HttpError(400, `ERR transaction discarded: ${queued.error}`);
        }
      }
      const results = (await conn.callBuffer("EXEC")) as unknown[] | null;
      if (results === null) throw new HttpError(400, "ERR transaction aborted");
      return results.map((value) =>
        value instanceof Error ? { error: value.message } : { result: encodeResult(value, base64) },
      );
    } finally {
      conn.disconnect();
    }
  };

  /**
   * Streams a channel's messages to the request until the client goes away. The headers go out
   * first; messages that arrive before Redis confirms the subscription wait behind its line.
   */
  const subscribe = async (channel: string, req: IncomingMessage, res: ServerResponse) => {
    const conn = redis.duplicate(); // a subscriber needs a connection of its own
    conn.on("error", () => {});
    streams.add(res);
    let early: string[] | null = [];
    const send = (line: string) => {
      if (!res.writableEnded) res.write(line);
    };
    const close = () => {
      streams.delete(res);
      conn.disconnect();
    };
    req.on("close", close);
    res.on("close", close);
    conn.on("message", (from: string, message: string) => {
      if (from !== channel) return;
      const line = `data: message,${channel},${message}\n\n`;
      if (early) early.push(line);
      else send(line);
    });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    let count: number;
    try {
      count = (await conn.subscribe(channel)) as number;
    } catch {
      res.destroy(); // Redis is down, or the client left first: the stream ends unconfirmed
      return;
    }
    send(`data: subscribe,${channel},${count}\n\n`);
    for (const line of early) send(line);
    early = null;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      throw new HttpError(401, "Unauthorized");
    }
    if (req.method !== "POST") throw new HttpError(405, "ERR only POST is supported");
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const body = await readJson(req);
    if (path.startsWith("/subscribe/")) {
      counts.commands += 1;
      return subscribe(decodeURIComponent(path.slice("/subscribe/".length)), req, res);
    }
    let reply: unknown;
    if (path === "/") {
      const [command] = asCommands(body, false);
      counts.commands += 1;
      reply = await execute(redis, command as Command, base64);
      if ("error" in (reply as object))
        throw new HttpError(400, (reply as { error: string }).error);
    } else if (path === "/pipeline") {
      const commands = asCommands(body, true);
      counts.commands += commands.length;
      reply = await Promise.all(commands.map((command) => execute(redis, command, base64)));
    } else if (path === "/multi-exec") {
      const commands = asCommands(body, true);
      counts.commands += commands.length;
      reply = await multiExec(commands, base64);
    } else {
      throw new HttpError(404, "ERR unknown endpoint");
    }
    if (repliesToDrop > 0) {
      repliesToDrop -= 1;
      res.socket?.destroy();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(reply));
  };

  const server = createServer((req, res) => {
    counts.requests += 1;
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy(); // a stream that had begun cannot turn into an error answer
        return;
      }
      const status = error instanceof HttpError ? error.status : 500;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: (error as Error).message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    get requests() {
      return counts.requests;
    },
    get commands() {
      return counts.commands;
    },
    resetCounts() {
      counts.requests = 0;
      counts.commands = 0;
    },
    dropReplies(n) {
      repliesToDrop = n;
    },
    dropSubscriptions() {
      for (const res of streams) res.destroy();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      redis.disconnect();
    },
  };
}
