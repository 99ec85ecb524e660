/**
 * Section 1, throughput and cost per job, cold and warm. Every configuration × shape runs in a
 * fresh child process (throughput-child.ts): its first run is the cold figure (a serverless
 * drain, a fresh deploy), the median of its runs after a discarded warm-up is the warm figure
 * (a long-lived worker). With several rounds, the cold figure is the median of the rounds'
 * first runs and the warm one the median of all their warm runs. Within a round the
 * configurations run one after another in {@link SUBJECTS} order, each of ours beside its peer.
 */

import { runChild } from "./lib/child.js";
import { type Mode, SIZES, type Sizes } from "./lib/options.js";
import { CONFIGS, type Servers } from "./lib/servers.js";
import { median, round, table } from "./lib/stats.js";
import { isPeer, LABELS, PEER_OF, SUBJECTS, type Subject } from "./lib/subjects.js";
import { CONCURRENCIES, type Concurrency, type Run } from "./throughput.js";
import type { ChildInput, ChildResult } from "./throughput-child.js";

/** One subject at one shape: the medians and every run they came from. */
export interface SubjectResult {
  cold: Run;
  warm: Run;
  /** Each process's first run, by round. */
  coldRuns: Run[];
  /** Every warm run, by round then order. */
  warmRuns: Run[];
  /** Each process's warm-up drain, s. */
  warmupSeconds: number[];
}

export interface ThroughputResults {
  jobs: number;
  warmupJobs: number;
  runs: number;
  rounds: number;
  workers: number;
  /** The order the child processes ran in, within each round and shape. */
  order: Subject[];
  byConcurrency: Record<string, Partial<Record<Subject, SubjectResult>>>;
}

/** Digits kept: jobs/s whole, the rest to 0.1 (commands and requests to 0.01). */
const DIGITS: Record<keyof Run, number> = {
  jobsPerSecond: 0,
  clientCpuMicrosPerJob: 1,
  redisCpuMicrosPerJob: 1,
  endpointCpuMicrosPerJob: 1,
  redisCommandsPerJob: 2,
  httpRequestsPerJob: 2,
};
const METRICS = Object.keys(DIGITS) as Array<keyof Run>;

const roundRun = (run: Run) =>
  Object.fromEntries(
    METRICS.map((key) => [key, run[key] === null ? null : round(run[key] as number, DIGITS[key])]),
  ) as unknown as Run;

/** The median of each metric over `runs` (null where the metric is not this subject's). */
function medianRun(runs: Run[]): Run {
  const pick = (key: keyof Run) => {
    const values = runs.map((run) => run[key]).filter((value) => value !== null);
    return values.length === 0 ? null : median(values as number[]);
  };
  return roundRun(Object.fromEntries(METRICS.map((key) => [key, pick(key)])) as unknown as Run);
}

/** One subject at one shape over its rounds' child processes. */
function summarize(children: ChildResult[]): SubjectResult {
  const coldRuns = children.map((child) => child.cold);
  const warmRuns = children.flatMap((child) => child.warm);
  return {
    cold: medianRun(coldRuns),
    warm: medianRun(warmRuns),
    coldRuns: coldRuns.map(roundRun),
    warmRuns: warmRuns.map(roundRun),
    warmupSeconds: children.map((child) => round(child.warmupSeconds, 2)),
  };
}

/**
 * Runs every round: per round, per shape, one child per subject in {@link SUBJECTS} order
 * (the peers only when installed). Progress goes to stderr.
 */
export async function measureThroughput(
  servers: Servers,
  sizes: Sizes,
  withPeers: boolean,
): Promise<ThroughputResults> {
  const order = SUBJECTS.filter((subject) => withPeers || !isPeer(subject));
  /** Each child's result by `concurrency subject`, in round order. */
  const children = new Map<string, ChildResult[]>();
  const key = (concurrency: Concurrency, subject: Subject) => `${concurrency} ${subject}`;
  const script = new URL("./throughput-child.ts", import.meta.url);
  for (let r = 1; r <= sizes.rounds; r++) {
    for (const concurrency of CONCURRENCIES) {
      for (const subject of order) {
        const input: ChildInput = {
          subject,
          concurrency,
          jobs: sizes.jobs,
          warmup: sizes.warmup,
          runs: sizes.runs,
          endpoints: servers,
        };
        const result = await runChild<ChildResult>(script, input, servers.counts);
        children.set(key(concurrency, subject), [
          ...(children.get(key(concurrency, subject)) ?? []),
          result,
        ]);
        process.stderr.write(
          `  throughput round ${r}/${sizes.rounds}, 10 × ${concurrency}, ${subject}: ` +
            `cold ${round(result.cold.jobsPerSecond)} jobs/s, ` +
            `warm ${result.warm.map((run) => round(run.jobsPerSecond)).join(" ")}\n`,
        );
      }
    }
  }
  const byConcurrency: ThroughputResults["byConcurrency"] = {};
  for (const concurrency of CONCURRENCIES) {
    byConcurrency[concurrency] = Object.fromEntries(
      order.map((subject) => [subject, summarize(children.get(key(concurrency, subject)) ?? [])]),
    );
  }
  return {
    jobs: sizes.jobs,
    warmupJobs: sizes.warmup,
    runs: sizes.runs,
    rounds: sizes.rounds,
    workers: 10,
    order,
    byConcurrency,
  };
}

const shown = (value: number | null) => value ?? "-";

/** CPU per job of client and redis-server together (the endpoints' process left out). */
const clientAndRedis = (run: Run) => run.clientCpuMicrosPerJob + (run.redisCpuMicrosPerJob ?? 0);

/**
 * The tables: one per shape with cold and warm side by side, then ours ÷ peer for both shapes,
 * or instead of the ratios, `noRatios` (why they are not printed). `machine` goes beside every
 * table's title.
 */
export function throughputTables(
  results: ThroughputResults,
  machine: string,
  noRatios: string | null,
): string[] {
  const lines: string[] = [];
  const rounds =
    results.rounds === 1
      ? "one process each"
      : `${results.rounds} processes each, interleaved; cold = median of their first runs`;
  for (const concurrency of CONCURRENCIES) {
    const shape = results.byConcurrency[concurrency] ?? {};
    lines.push(
      `1. Throughput and cost per job, 10 workers × concurrency ${concurrency}, ${results.jobs} no-op jobs per run [${machine}]`,
      `   cold = a fresh process's first run; warm = median of ${results.runs} run${results.runs === 1 ? "" : "s"} after a discarded ${results.warmupJobs}-job warm-up (${rounds})`,
      table(
        [
          "queue",
          "jobs/s cold",
          "jobs/s warm",
          "client µs/job cold",
          "client µs/job warm",
          "redis µs/job cold",
          "redis µs/job warm",
          "endpoint µs/job",
          "Redis cmds/job",
          "HTTP req/job",
        ],
        results.order.flatMap((subject) => {
          const result = shape[subject];
          if (!result) return [];
          const { cold, warm } = result;
          return [
            [
              LABELS[subject],
              cold.jobsPerSecond,
              warm.jobsPerSecond,
              cold.clientCpuMicrosPerJob,
              warm.clientCpuMicrosPerJob,
              shown(cold.redisCpuMicrosPerJob),
              shown(warm.redisCpuMicrosPerJob),
              shown(warm.endpointCpuMicrosPerJob),
              shown(warm.redisCommandsPerJob),
              shown(warm.httpRequestsPerJob),
            ],
          ];
        }),
      ),
      "",
    );
  }
  lines.push(
    "   per job: client = the child process's user + system CPU; redis = redis-server's (INFO used_cpu_user + used_cpu_sys);",
    "   endpoint = the REST proxy's or Hrana server's process; Redis cmds = INFO total_commands_processed (inside scripts too)",
    "",
  );
  if (noRatios) {
    lines.push(`No ratios to the peers: ${noRatios}.`);
    return lines;
  }
  const rows = CONCURRENCIES.flatMap((concurrency) =>
    CONFIGS.flatMap((config) => {
      const peer = PEER_OF[config];
      const shape = results.byConcurrency[concurrency] ?? {};
      const ours = shape[config];
      const theirs = peer && shape[peer];
      if (!ours || !theirs) return [];
      const ratio = (measure: (run: Run) => number, phase: "cold" | "warm") =>
        round(measure(ours[phase]) / measure(theirs[phase]), 2);
      const jobsPerSecond = (run: Run) => run.jobsPerSecond;
      const client = (run: Run) => run.clientCpuMicrosPerJob;
      return [
        [
          `${LABELS[config]} ÷ ${LABELS[peer]}`,
          `10 × ${concurrency}`,
          ...(["cold", "warm"] as const).flatMap((phase) => [
            ratio(jobsPerSecond, phase),
            ratio(client, phase),
            ratio(clientAndRedis, phase),
          ]),
        ],
      ];
    }),
  );
  lines.push(
    `Ours ÷ peer, same shape and phase (jobs/s above 1: ours faster; CPU below 1: ours cheaper) [${machine}]`,
    table(
      [
        "ours ÷ peer",
        "workers",
        "jobs/s cold",
        "client CPU cold",
        "client+redis CPU cold",
        "jobs/s warm",
        "client CPU warm",
        "client+redis CPU warm",
      ],
      rows,
    ),
  );
  return lines;
}

/**
 * Why ratios to the peers would mislead at these sizes, or null when they are fair (at least
 * the full run's jobs and warm-up): small drains never warm BullMQ.
 */
export function whyNoRatios(mode: Mode, sizes: Sizes): string | null {
  const full = SIZES.full;
  if (sizes.jobs >= full.jobs && sizes.warmup >= full.warmup) return null;
  const which = mode === "full" ? "these sizes" : `--${mode}'s sizes`;
  return (
    `${which} (${sizes.jobs} jobs per run, ${sizes.warmup}-job warm-up) never warm BullMQ ` +
    "(its client CPU per job falls about 3× only after 10,000–20,000 jobs), so its figures " +
    `here are not its steady state; compare with a full run (${full.jobs} jobs, ${full.warmup}-job warm-up)`
  );
}
