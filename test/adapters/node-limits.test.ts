/** `serve()` bounds slow and numerous clients: header and request timeouts, a connection cap. */
import { connect, type Socket } from "node:net";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { serve } from "../../adapters/node.js";
import { Worker } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";

const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });

/** Resolves with what the server sent once it closes the connection, or "open" after `ms`. */
const closedWithin = (socket: Socket, ms: number) =>
  new Promise<string>((resolve) => {
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
    });
    socket.on("error", () => {});
    const timer = setTimeout(() => resolve("open"), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
  });

async function server(limits: Record<string, number>) {
  const { queue } = memoryQueue({ clock: undefined });
  const app = new Hono().post("/slow", async (c) => c.text(await c.req.text()));
  return serve({ fetch: app.fetch, queue, port: 0, signals: false, ...limits });
}

describe("serve() limits", () => {
  it("drops a client that sends its headers too slowly", async () => {
    const running = await server({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    try {
      const socket = await open(running.port);
      socket.write("GET / HTTP/1.1\r\nHost: x\r\n"); // and never the blank line
      expect(await closedWithin(socket, 3_000)).not.toBe("open");
    } finally {
      await running.close();
    }
  });

  it("drops a client whose body never finishes", async () => {
    const running = await server({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    try {
      const socket = await open(running.port);
      socket.write("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
      expect(await closedWithin(socket, 3_000)).not.toBe("open");
    } finally {
      await running.close();
    }
  });

  it("refuses connections past maxConnections", async () => {
    const running = await server({ maxConnections: 2 });
    const sockets = [await open(running.port), await open(running.port)];
    try {
      const third = await open(running.port);
      sockets.push(third);
      expect(await closedWithin(third, 2_000)).toBe("");
    } finally {
      for (const socket of sockets) socket.destroy();
      await running.close();
    }
  });

  it("checks its numeric options at startup", async () => {
    const { queue } = memoryQueue({ clock: undefined });
    const fetch = () => new Response("");
    for (const bad of [
      { headersTimeoutMs: "10000" },
      { requestTimeoutMs: Number.NaN },
      { maxConnections: 0 },
      { graceMs: -1 },
      { drains: { everyMs: 0 } },
      { drains: { cron: "* * * * *", budgetMs: "5000" } },
    ]) {
      const worker = new Worker(queue);
      await expect(
        serve({ fetch, queue, worker, port: 0, signals: false, ...(bad as object) }),
        JSON.stringify(bad),
      ).rejects.toThrow(/must be/);
    }
  });
});
