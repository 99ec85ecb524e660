/**
 * What section 1 measures: ours on each store configuration and the two peers, their labels,
 * which peer each of ours is set against, and which server figures belong to each.
 */
import type { Probe } from "./probe.js";
import type { Config } from "./servers.js";

/**
 * Every measured configuration, in the interleaved order the child processes run in (each of
 * ours next to its peer, so a drift in the machine's speed hits both alike).
 */
export const SUBJECTS = [
  "libsql-file",
  "plainjob",
  "redis-tcp",
  "bullmq",
  "redis-rest",
  "libsql-http",
] as const;
export type Subject = (typeof SUBJECTS)[number];
export type PeerSubject = Extract<Subject, "bullmq" | "plainjob">;

export const isPeer = (subject: Subject): subject is PeerSubject =>
  subject === "bullmq" || subject === "plainjob";

export const LABELS: Record<Subject, string> = {
  "libsql-file": "libSQL file (embedded)",
  "libsql-http": "libSQL over HTTP (Hrana)",
  "redis-rest": "Redis via @upstash/redis (REST)",
  "redis-tcp": "Redis over TCP (ioredis)",
  bullmq: "BullMQ 6 (TCP)",
  plainjob: "plainjob (better-sqlite3)",
};

/** The peer each of our configurations is compared with (none for libSQL over HTTP). */
export const PEER_OF: Record<Config, PeerSubject | null> = {
  "libsql-file": "plainjob",
  "redis-tcp": "bullmq",
  "redis-rest": "bullmq",
  "libsql-http": null,
};

/** Which server figures each subject's runs report (see lib/probe.ts). */
export const PROBED: Record<Subject, Omit<Probe, "counts">> = {
  "libsql-file": { redis: false, http: null },
  plainjob: { redis: false, http: null },
  "redis-tcp": { redis: true, http: null },
  bullmq: { redis: true, http: null },
  "redis-rest": { redis: true, http: "rest" },
  "libsql-http": { redis: false, http: "hrana" },
};
