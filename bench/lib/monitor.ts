/**
 * Counts the commands Redis executes while a function runs, with a raw MONITOR connection
 * (plain node:net: client libraries are not built for a connection that only streams lines).
 * Each line looks like `+1700000000.123456 [0 127.0.0.1:5000] "hset" …`, or `[0 lua]` for a
 * command run inside a script; the first number is the database.
 */
import { connect } from "node:net";

export interface CommandCounts {
  /** Commands sent by clients, per database. */
  sent: Map<number, number>;
  /** All commands, including those run inside scripts, per database. */
  all: Map<number, number>;
}

const bump = (map: Map<number, number>, db: number) => map.set(db, (map.get(db) ?? 0) + 1);

export async function monitorCommands(
  redisUrl: string,
  fn: () => Promise<void>,
): Promise<CommandCounts> {
  const { hostname, port } = new URL(redisUrl);
  const socket = connect(Number(port), hostname);
  const counts: CommandCounts = { sent: new Map(), all: new Map() };
  let buffer = "";
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    ready = resolve;
  });
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    buffer += chunk;
    let end = buffer.indexOf("\r\n");
    while (end >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf("\r\n");
      if (line === "+OK") ready();
      const match = /^\+\d+\.\d+ \[(\d+) ([^\]]+)\]/.exec(line);
      if (!match) continue;
      const db = Number(match[1]);
      bump(counts.all, db);
      if (match[2] !== "lua") bump(counts.sent, db);
    }
  });
  socket.write("MONITOR\r\n");
  await started;
  try {
    await fn();
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the last lines arrive
  } finally {
    socket.destroy();
  }
  return counts;
}
