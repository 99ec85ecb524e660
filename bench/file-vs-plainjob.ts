/**
 * A focused comparison for issue 20 item 2: ours on the libSQL file store against plainjob, at
 * 10 × 1 and 10 × 5, each run in a fresh child process (one cold run, then warm runs), the
 * two interleaved round by round so a busy machine slows both alike. Prints each round and the
 * medians: jobs/s, client CPU µs/job, and ours ÷ plainjob.
 *
 *   node --import tsx bench/file-vs-plainjob.ts [rounds=5] [jobs=5000] [label=tree …]
 *
 * Each `label=tree` adds a version of ours: the checkout at `tree` (a git worktree of another
 * commit, with node_modules linked), so a change is measured against its base in one batch.
 * Without any, ours is this checkout. Does not touch bench/run.ts; reuses the throughput
 * section's run functions (from each tree).
 */
import { fork } from "node:child_process";
import type { Endpoints } from "./lib/servers.js";
import { median } from "./lib/stats.js";
import { loadPeers } from "./peers/index.js";
import type { Concurrency, Run } from "./throughput.js";

/** "plainjob", or a version of ours by its tree's label. */
type Who = string;
/** A child's answer: its cold run, then its warm runs. */
interface ChildResult {
  cold: Run;
  warm: Run[];
}

const WARM_RUNS = 2;
/** The file store needs no server endpoints. */
const NO_SERVERS = {} as Endpoints;

async function child(tree: string, concurrency: Concurrency, jobs: number): Promise<ChildResult> {
  const peers = tree === "plainjob" ? await loadPeers() : null;
  if (tree === "plainjob" && !peers) throw new Error("peers not installed (npm run bench)");
  const { ours, plainjob }: typeof import("./throughput.js") = await import(
    peers ? "./throughput.js" : `${tree}/bench/throughput.ts`
  );
  const once = () =>
    peers
      ? plainjob(peers.plainjob, jobs, concurrency)
      : ours("libsql-file", NO_SERVERS, jobs, concurrency);
  const cold = await once();
  const warm: Run[] = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push(await once());
  return { cold, warm };
}

function spawn(tree: string, concurrency: Concurrency, jobs: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const args = ["child", tree, `${concurrency}`, `${jobs}`];
    const proc = fork(new URL(import.meta.url).pathname, args, {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    proc.once("message", (message) => resolve(message as ChildResult));
    proc.once("exit", (code) => code !== 0 && reject(new Error(`${tree} child exited ${code}`)));
  });
}

const fmt = (runs: Run[]) => {
  const tp = median(runs.map((r) => r.jobsPerSecond));
  const cpu = median(runs.map((r) => r.clientCpuMicrosPerJob));
  const text = `${tp.toFixed(0).padStart(6)} jobs/s ${cpu.toFixed(1).padStart(6)} µs/job`;
  return { tp, cpu, text };
};

async function parent(rounds: number, jobs: number, trees: Map<Who, string>): Promise<void> {
  const everyone = [...trees.keys(), "plainjob"];
  const results = new Map<string, Run[]>();
  const add = (key: string, run: Run) => results.set(key, [...(results.get(key) ?? []), run]);
  for (let round = 0; round < rounds; round++) {
    for (const concurrency of [1, 5] as const) {
      // Alternate who goes first, so neither always meets the same neighbours.
      const shift = round % everyone.length;
      const order = [...everyone.slice(shift), ...everyone.slice(0, shift)];
      for (const who of order) {
        const { cold, warm } = await spawn(trees.get(who) ?? who, concurrency, jobs);
        add(`${who} 10x${concurrency} cold`, cold);
        const last = warm.at(-1) as Run;
        add(`${who} 10x${concurrency} warm`, last);
        console.log(
          `round ${round + 1} ${who.padEnd(9)} 10x${concurrency}: cold ${fmt([cold]).text}, warm ${fmt([last]).text}`,
        );
      }
    }
  }
  console.log(`\nmedians over ${rounds} rounds, ${jobs} jobs (noisy: shared 2-core machine)`);
  for (const concurrency of [1, 5]) {
    for (const phase of ["cold", "warm"]) {
      const b = fmt(results.get(`plainjob 10x${concurrency} ${phase}`) ?? []);
      console.log(`10x${concurrency} ${phase}: plainjob  ${b.text}`);
      for (const label of trees.keys()) {
        const a = fmt(results.get(`${label} 10x${concurrency} ${phase}`) ?? []);
        const ratios = `throughput ${(a.tp / b.tp).toFixed(2)}x, cpu ${(a.cpu / b.cpu).toFixed(2)}x`;
        console.log(`10x${concurrency} ${phase}: ${label.padEnd(9)} ${a.text} | ${ratios}`);
      }
    }
  }
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === "child") {
  const [tree, concurrency, jobs] = rest;
  const result = await child(tree as string, Number(concurrency) as Concurrency, Number(jobs));
  process.send?.(result, () => process.exit(0));
} else {
  const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const labelled = rest.slice(1).map((arg) => arg.split("=", 2) as [Who, string]);
  const trees = new Map<Who, string>(labelled.length > 0 ? labelled : [["ours", here]]);
  await parent(Number(mode ?? 5), Number(rest[0] ?? 5000), trees);
}
