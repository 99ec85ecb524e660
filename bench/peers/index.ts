/**
 * Loads the peers the bench compares against (BullMQ, plainjob on better-sqlite3) from the
 * bench's own package, `bench/node_modules`, which `npm run bench` installs on first use.
 * Nothing else in the bench imports a peer, so the bench (and its smoke test) run without
 * them: only our own configurations are measured then.
 */
import { existsSync } from "node:fs";
import type { BullConnection, BullMQ, Plainjob } from "./types.js";

export type * from "./types.js";

/** The loaded peer modules. */
export interface Peers {
  bullmq: BullMQ;
  plainjob: Plainjob;
}

/** Printed (once, near the top) when the peers are not installed. */
export const PEERS_MISSING =
  "peers not installed (run npm run bench): BullMQ and plainjob rows skipped";

const PACKAGES = ["bullmq", "plainjob", "better-sqlite3"] as const;

/** Whether bench/node_modules holds every peer package. */
export function peersInstalled(): boolean {
  return PACKAGES.every((name) =>
    existsSync(new URL(`../node_modules/${name}/package.json`, import.meta.url)),
  );
}

// A specifier held in a variable: the root type-check does not resolve the peers.
const load = (specifier: string): Promise<Record<string, unknown>> => import(specifier);

/**
 * The peer modules, or `null` when bench/node_modules does not hold them (copies elsewhere,
 * e.g. left in the root node_modules by an older install, are deliberately not used).
 */
export async function loadPeers(): Promise<Peers | null> {
  if (!peersInstalled()) return null;
  const [bullmq, plainjob, sqlite] = await Promise.all(PACKAGES.map(load));
  return {
    bullmq: bullmq as unknown as BullMQ,
    plainjob: { ...plainjob, Database: sqlite?.default } as unknown as Plainjob,
  };
}

/** BullMQ connection options for a `redis://host:port` URL (database `db`, default 0). */
export function bullConnection(redisUrl: string, db?: number): BullConnection {
  const { hostname, port } = new URL(redisUrl);
  return { host: hostname, port: Number(port), ...(db ? { db } : {}), maxRetriesPerRequest: null };
}
