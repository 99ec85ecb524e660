/** Store URLs that cannot answer: a loopback port nobody listens on, and a host no DNS knows. */

import type { AddressInfo } from "node:net";
import { createServer } from "node:net";

/** A loopback port that was free a moment ago (connections to it are refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Per outage, the store settings (env / bindings) of each backend pointing at it (`STORE`: the
 * Cloudflare example's store choice).
 */
export async function unreachableStores(): Promise<Array<[string, Record<string, string>]>> {
  const port = await closedPort();
  const urls = {
    "a closed port": `http://127.0.0.1:${port}`,
    "an unresolvable host": "http://store.invalid",
  };
  return Object.entries(urls).flatMap(([outage, url]) => [
    [
      `Upstash REST at ${outage}`,
      {
        STORE: "upstash",
        UPSTASH_REDIS_REST_URL: url,
        UPSTASH_REDIS_REST_TOKEN: "t",
      },
    ],
    [`libSQL over HTTP at ${outage}`, { STORE: "turso", LIBSQL_URL: url }],
  ]);
}
