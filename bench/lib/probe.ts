/**
 * What the store servers did during a measured span, per job: the servers' counters (see
 * {@link Counts}) are read before the clock starts and after it stops, and the deltas divided
 * by the jobs. Only the figures that belong to the configuration are kept; the others are null.
 */
import type { Counts } from "./servers.js";

/** Which of the servers' figures a configuration's run should report. */
export interface Probe {
  /** Reads the servers' cumulative counters. */
  counts(): Promise<Counts>;
  /** The configuration runs on redis-server: report its CPU and commands. */
  redis: boolean;
  /** The configuration talks HTTP to one of the endpoints: report its requests and CPU. */
  http: "rest" | "hrana" | null;
}

/** Per-job costs on the server side of one run (null: not this configuration's). */
export interface ServerCosts {
  /** redis-server CPU (user + system, all threads) ÷ jobs, µs. */
  redisCpuMicrosPerJob: number | null;
  /** Commands Redis ran (`total_commands_processed`, scripts' inner calls included) ÷ jobs. */
  redisCommandsPerJob: number | null;
  /** HTTP requests the REST or Hrana endpoint served ÷ jobs. */
  httpRequestsPerJob: number | null;
  /** CPU of the endpoints' process (REST proxy or Hrana server) ÷ jobs, µs. */
  endpointCpuMicrosPerJob: number | null;
}

export const NO_SERVER: ServerCosts = {
  redisCpuMicrosPerJob: null,
  redisCommandsPerJob: null,
  httpRequestsPerJob: null,
  endpointCpuMicrosPerJob: null,
};

/** The per-job deltas between two readings of the counters, as `probe` selects. */
export function serverCosts(
  probe: Probe,
  before: Counts,
  after: Counts,
  jobs: number,
): ServerCosts {
  const perJob = (key: keyof Counts) => (after[key] - before[key]) / jobs;
  const requests = probe.http === "rest" ? "restRequests" : "hranaRequests";
  return {
    redisCpuMicrosPerJob: probe.redis ? perJob("redisCpuMicros") : null,
    redisCommandsPerJob: probe.redis ? perJob("redisCommands") : null,
    httpRequestsPerJob: probe.http ? perJob(requests) : null,
    endpointCpuMicrosPerJob: probe.http ? perJob("endpointCpuMicros") : null,
  };
}
