/** A loopback HTTP server that takes every request and never answers it: a hung store. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface SilentServer {
  url: string;
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
