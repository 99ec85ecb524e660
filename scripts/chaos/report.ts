/** The chaos run's printed summary: problems and errors per store, then one table. */
import type { ChaosRun } from "./chaos.js";
import type { CheckReport } from "./checks.js";
import type { PartitionReport } from "./partition.js";
import type { StoreName } from "./stores.js";

/** Everything known about one store's run (also what is saved, per store, in the JSON). */
export type StoreSummary = Omit<ChaosRun, "partitions"> &
  CheckReport & {
    store: StoreName;
    ok: boolean;
    /** Null when partitions were off or the store is not reached over the network. */
    partitions: PartitionReport[] | null;
  };

type Row = [string, (r: StoreSummary) => string | number];

const notNetworked = "n/a";

/** `pick` of the partitions' recovery times (ms), or n/a / "none" when there are none. */
function recovery(r: StoreSummary, pick: (sorted: number[]) => number | undefined): string {
  if (r.partitions === null) return notNetworked;
  const times = r.partitions.flatMap((p) => (p.recoveryMs === null ? [] : [p.recoveryMs]));
  const value = pick(times.sort((a, b) => a - b));
  return value === undefined ? "none" : String(value);
}

const rows: Row[] = [
  ["jobs (acknowledged)", (r) => r.jobs],
  ["completed", (r) => r.completed],
  ["lost", (r) => r.lost],
  ["dead-lettered", (r) => JSON.stringify(r.deadLettered)],
  ["worker kills (SIGKILL)", (r) => r.counts.kills],
  ["stalls (SIGSTOP/SIGCONT)", (r) => r.counts.stalls],
  ["redis-server kill+restart", (r) => (r.store === "redis" ? r.counts.redisRestarts : "n/a")],
  ["store cuts", (r) => (r.store === "redis" ? r.counts.storeCuts : "n/a")],
  ["partitions (5–15 s blackhole)", (r) => r.partitions?.length ?? notNetworked],
  [
    "partitioned (s in all)",
    (r) => r.partitions?.reduce((sum, p) => sum + p.ms / 1_000, 0).toFixed(1) ?? notNetworked,
  ],
  ["recovery after heal, min (ms)", (r) => recovery(r, (t) => t[0])],
  ["recovery after heal, median (ms)", (r) => recovery(r, (t) => t[Math.floor(t.length / 2)])],
  ["recovery after heal, max (ms)", (r) => recovery(r, (t) => t.at(-1))],
  ["executions", (r) => r.executions],
  ["duplicate executions", (r) => r.duplicateExecutions],
  ["same attempt run twice", (r) => r.sameAttemptTwice],
  ["lease expiries (events)", (r) => r.leaseExpiries],
  ["retries scheduled (events)", (r) => r.retriesScheduled],
  ["leases expired < 1 s after claim", (r) => r.earlyLeaseExpiries],
  ["attempts started < 150 ms apart", (r) => r.nearSimultaneousAttempts],
  ["duplicate jobs per key", (r) => r.duplicateJobs],
  ["enqueue retries (unavailable)", (r) => r.enqueueRetries],
  ["enqueue errors (other)", (r) => r.enqueueErrors],
  ["unacked but stored", (r) => r.unackedButStored],
  ["event/result check failures", (r) => r.checkFailures],
  ["worker crashes", (r) => r.counts.workerCrashes.length],
  ["drain (s)", (r) => (r.drained ? (r.drainMs / 1_000).toFixed(1) : "NOT DRAINED")],
  ["verdict", (r) => (r.ok ? "ok" : "FAIL")],
];

/** Prints each store's problems, errors and partitions, then the summary table. */
export function printSummary(results: StoreSummary[], title: string): void {
  for (const r of results) {
    const notes = [...r.problems, ...r.counts.workerCrashes.map((c) => `worker crash ${c}`)];
    if (notes.length > 0) console.log(`\n[${r.store}] problems:\n  ${notes.join("\n  ")}`);
    const errors = Object.entries(r.errors);
    if (errors.length > 0) {
      console.log(`\n[${r.store}] errors seen (count):`);
      for (const [text, count] of errors) console.log(`  ${String(count).padStart(5)}  ${text}`);
    }
    if (r.partitions && r.partitions.length > 0) {
      console.log(`\n[${r.store}] partitions (heal → next completed job):`);
      for (const p of r.partitions) {
        const recovered =
          p.recoveryMs === null
            ? "no job completed after it (none left to run?)"
            : `${p.recoveryMs} ms`;
        console.log(`  at ${p.atS.toFixed(1).padStart(6)} s for ${p.ms} ms: ${recovered}`);
      }
    }
  }

  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(`\nchaos summary — ${title}`);
  console.log(`${"".padEnd(width)}  ${results.map((r) => r.store.padStart(12)).join("")}`);
  for (const [label, cell] of rows) {
    console.log(
      `${label.padEnd(width)}  ${results.map((r) => String(cell(r)).padStart(12)).join("")}`,
    );
  }
}
