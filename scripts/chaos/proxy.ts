/**
 * A loopback TCP proxy that can blackhole its traffic, to partition worker processes from a
 * networked store. While blackholed it still accepts connections, but forwards nothing, in
 * either direction, and closes nothing: bytes (and ends) are held, new connections are not
 * connected upstream yet. On heal everything held is delivered in order, as TCP retransmits
 * after a partition shorter than its timeouts. A client that gives up meanwhile (closes its
 * socket) is seen only on heal, like any other traffic.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/** A running proxy. */
export interface BlackholeProxy {
  /** The loopback port clients connect to. */
  readonly port: number;
  /** Whether traffic is currently blackholed. */
  readonly blackholed: boolean;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Stops forwarding, both ways, on every connection (open and new) until {@link heal}. */
  blackhole(): void;
  /** Delivers what was held, and forwards again. */
  heal(): void;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/** One direction of one connection: bytes from `from` are written to `to`, or held. */
class Direction {
  readonly #held: Array<Buffer | "end"> = [];

  constructor(
    private readonly from: Socket,
    private readonly to: () => Socket | null,
    private readonly isBlackholed: () => boolean,
  ) {
    from.on("data", (chunk: Buffer) => this.#push(chunk));
    from.on("end", () => this.#push("end"));
  }

  #push(item: Buffer | "end"): void {
    const to = this.to();
    if (this.isBlackholed() || !to || this.#held.length > 0) {
      this.#held.push(item);
      if (item !== "end") this.from.pause(); // the sender's buffers fill, as on a dead link
      return;
    }
    this.#write(to, item);
  }

  #write(to: Socket, item: Buffer | "end"): void {
    if (item === "end") {
      to.end();
      return;
    }
    if (!to.write(item)) {
      this.from.pause();
      to.once("drain", () => {
        if (!this.isBlackholed()) this.from.resume();
      });
    }
  }

  /** Delivers what was held and lets bytes flow again. */
  flush(): void {
    const to = this.to();
    if (!to || this.isBlackholed()) return;
    for (const item of this.#held.splice(0)) this.#write(to, item);
    if (this.#held.length === 0 && to.writableNeedDrain === false) this.from.resume();
  }

  pause(): void {
    this.from.pause();
  }
}

/** One client connection and its upstream connection (made only while not blackholed). */
class Link {
  #upstream: Socket | null = null;
  #down: Direction | null = null;
  #closing = false;
  readonly #up: Direction;

  constructor(
    private readonly client: Socket,
    private readonly target: { host: string; port: number },
    private readonly isBlackholed: () => boolean,
    private readonly track: (socket: Socket) => void,
    private readonly onClose: (link: Link) => void,
  ) {
    track(client);
    this.#up = new Direction(client, () => this.#upstream, isBlackholed);
    client.on("error", () => {});
    client.on("close", () => this.#closeLater());
    if (isBlackholed()) client.pause();
    else this.heal();
  }

  /** Connects upstream if not yet connected, then delivers what was held. */
  heal(): void {
    if (this.#upstream === null) {
      const upstream = tcpConnect(this.target);
      this.track(upstream);
      upstream.on("error", () => {});
      // The store refused or dropped the connection: pass that on to the client.
      upstream.on("close", () => this.#closeLater());
      this.#upstream = upstream;
      this.#down = new Direction(upstream, () => this.client, this.isBlackholed);
    }
    this.#up.flush();
    this.#down?.flush();
    if (this.#closing) this.#finish();
  }

  blackhole(): void {
    this.#up.pause();
    this.#down?.pause();
  }

  /** A socket closed: the other one closes too, once the link is not blackholed. */
  #closeLater(): void {
    this.#closing = true;
    if (!this.isBlackholed()) this.#finish();
  }

  /** Ends both sockets once what was written to them is sent. */
  #finish(): void {
    this.client.end();
    this.#upstream?.end();
    this.onClose(this);
  }
}

/**
 * Starts a proxy on a free loopback port in front of `target` (a loopback TCP endpoint).
 *
 * @example
 * const proxy = await startBlackholeProxy({ host: "127.0.0.1", port: 6379 });
 * proxy.blackhole(); // … 5–15 s of partition …
 * proxy.heal();
 */
export async function startBlackholeProxy(target: {
  host: string;
  port: number;
}): Promise<BlackholeProxy> {
  let blackholed = false;
  let connections = 0;
  const links = new Set<Link>();
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const isBlackholed = () => blackholed;
  const server: Server = createServer((client) => {
    connections += 1;
    links.add(new Link(client, target, isBlackholed, track, (link) => links.delete(link)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return {
    port: address.port,
    get blackholed() {
      return blackholed;
    },
    get connections() {
      return connections;
    },
    blackhole() {
      blackholed = true;
      for (const link of links) link.blackhole();
    },
    heal() {
      blackholed = false;
      for (const link of [...links]) link.heal();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
