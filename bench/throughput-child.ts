/**
 * One configuration × one shape of section 1, in a fresh process (forked by
 * throughput-section.ts through lib/child.ts): run 1 is the cold run, then an untimed warm-up
 * drain of `warmup` jobs is discarded, then `runs` warm runs. Prints {@link ChildResult} as JSON.
 * Usage: node --import tsx bench/throughput-child.ts '<ChildInput as JSON>'
 */
import { childInput, finish, parentCounts } from "./lib/child.js";
import type { Endpoints } from "./lib/servers.js";
import { PROBED, type Subject } from "./lib/subjects.js";
import { loadPeers } from "./peers/index.js";
import * as throughput from "./throughput.js";

export interface ChildInput {
  subject: Subject;
  concurrency: throughput.Concurrency;
  jobs: number;
  warmup: number;
  runs: number;
  endpoints: Endpoints;
}

export interface ChildResult {
  /** The process's first run. */
  cold: throughput.Run;
  /** The runs after the warm-up, in order. */
  warm: throughput.Run[];
  /** Wall time of the discarded warm-up drain (enqueueing included), s. */
  warmupSeconds: number;
}

const { subject, concurrency, jobs, warmup, runs, endpoints } = childInput<ChildInput>();
const peers = subject === "bullmq" || subject === "plainjob" ? await loadPeers() : null;
const probed = PROBED[subject];
/** Only configurations with server figures ask the parent for the servers' counters. */
const probe = probed.redis || probed.http ? { counts: parentCounts, ...probed } : undefined;

/** One drain of `count` jobs by `subject`, probed or not. */
function once(count: number, probeIt: boolean): Promise<throughput.Run> {
  const withProbe = probeIt ? probe : undefined;
  if (subject === "bullmq" || subject === "plainjob") {
    if (!peers) throw new Error("peers not installed");
    return subject === "bullmq"
      ? throughput.bullmq(peers.bullmq, endpoints.redisUrl, count, concurrency, withProbe)
      : throughput.plainjob(peers.plainjob, count, concurrency);
  }
  return throughput.ours(subject, endpoints, count, concurrency, { probe: withProbe });
}

const cold = await once(jobs, true);
const started = performance.now();
if (warmup > 0) await once(warmup, false);
const warmupSeconds = (performance.now() - started) / 1000;
const warm: throughput.Run[] = [];
for (let i = 0; i < runs; i++) warm.push(await once(jobs, true));
finish({ cold, warm, warmupSeconds } satisfies ChildResult);
