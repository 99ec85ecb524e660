/**
 * A loopback TCP proxy with fault injection: forwards bytes both ways, and when armed, lets
 * the next request through but destroys the connection instead of passing back its reply —
 * the store ran the command, the client never hears of it.
 */

import type { AddressInfo } from "node:net";
import { createServer, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  /** Replies dropped so far. */
  readonly dropped: number;
  /** Drop the next reply that comes back from the target. */
  dropNextReply(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let armed = false;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  };
  const server = createServer((client) => {
    const upstream = new (client.constructor as typeof Socket)();
    track(client);
    track(upstream);
    upstream.connect(targetPort, "127.0.0.1");
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk) => {
      if (armed) {
        armed = false;
        dropped += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get dropped() {
      return dropped;
    },
    dropNextReply() {
      armed = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
