import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type BlackholeProxy, startBlackholeProxy } from "../../scripts/chaos/proxy.js";

/** An upstream that records what it received and keeps its sockets, to write to them. */
async function startUpstream() {
  const sockets: Socket[] = [];
  let received = "";
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on("data", (chunk) => {
      received += chunk.toString();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    sockets,
    received: () => received,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A client socket through the proxy, and everything it has received so far. */
async function openClient(port: number) {
  const socket = connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  let received = "";
  let closed = false;
  socket.on("data", (chunk) => {
    received += chunk.toString();
  });
  socket.on("close", () => {
    closed = true;
  });
  return { socket, received: () => received, closed: () => closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await sleep(10);
  }
}

describe("chaos blackhole proxy", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp(): Promise<{
    upstream: Awaited<ReturnType<typeof startUpstream>>;
    proxy: BlackholeProxy;
  }> {
    const upstream = await startUpstream();
    cleanups.push(() => upstream.close());
    const proxy = await startBlackholeProxy({ host: "127.0.0.1", port: upstream.port });
    cleanups.push(() => proxy.close());
    return { upstream, proxy };
  }

  it("forwards both ways, holds bytes both ways while blackholed, delivers them on heal", async () => {
    const { upstream, proxy } = await setUp();
    const client = await openClient(proxy.port);
    client.socket.write("ping;");
    await until(() => upstream.received() === "ping;");
    upstream.sockets[0]?.write("pong;");
    await until(() => client.received() === "pong;");

    proxy.blackhole();
    expect(proxy.blackholed).toBe(true);
    client.socket.write("up;");
    upstream.sockets[0]?.write("down;");
    await sleep(300);
    expect(upstream.received()).toBe("ping;");
    expect(client.received()).toBe("pong;");
    expect(client.closed()).toBe(false);

    proxy.heal();
    await until(() => upstream.received() === "ping;up;" && client.received() === "pong;down;");
    client.socket.write("again;");
    await until(() => upstream.received() === "ping;up;again;");
    client.socket.destroy();
  });

  it("accepts connections while blackholed but connects them upstream only on heal", async () => {
    const { upstream, proxy } = await setUp();
    proxy.blackhole();
    const client = await openClient(proxy.port);
    client.socket.write("early;");
    await sleep(300);
    expect(proxy.connections).toBe(1);
    expect(upstream.sockets).toHaveLength(0);
    expect(client.closed()).toBe(false);

    proxy.heal();
    await until(() => upstream.received() === "early;");
    upstream.sockets[0]?.write("hello;");
    await until(() => client.received() === "hello;");
    client.socket.destroy();
  });

  it("holds a close while blackholed and passes it on after heal", async () => {
    const { upstream, proxy } = await setUp();
    const client = await openClient(proxy.port);
    client.socket.write("x");
    await until(() => upstream.received() === "x");
    const upstreamSocket = upstream.sockets[0] as Socket;
    let upstreamClosed = false;
    upstreamSocket.on("close", () => {
      upstreamClosed = true;
    });

    proxy.blackhole();
    upstreamSocket.end("bye;");
    await sleep(300);
    expect(client.closed()).toBe(false);
    expect(client.received()).toBe("");

    proxy.heal();
    await until(() => client.closed() && client.received() === "bye;");
    await until(() => upstreamClosed);
  });

  it("closes the client when the upstream refuses the connection", async () => {
    const { upstream, proxy } = await setUp();
    await upstream.close();
    const client = await openClient(proxy.port);
    await until(() => client.closed());
  });
});
