/**
 * One store's chaos run: starts worker processes and the producer, then for `chaosMs` injects
 * faults at random (seeded): SIGKILLs workers (a replacement starts a moment later), freezes
 * them (SIGSTOP, SIGCONT 2.5–6 s later: longer than a lease, so they wake up as stale lease
 * holders and try to write), and on Redis kills and restarts redis-server and cuts the REST
 * endpoint; with `partition`, a networked store is also cut off from the workers (not the
 * producer) by a blackholing proxy for 5–15 s now and then (see partition.ts). Then it stops
 * the chaos and lets the surviving workers drain the queue.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { type Partition, startPartitions } from "./partition.js";
import { between, mulberry32, subSeed } from "./prng.js";
import { openQueue, type StoreSpec, sleep } from "./spec.js";
import type { StoreUnderTest } from "./stores.js";

export interface ChaosCounts {
  kills: number;
  stalls: number;
  redisRestarts: number;
  storeCuts: number;
  workersStarted: number;
  /** Worker processes that exited without being killed or told to stop. */
  workerCrashes: string[];
}

export interface ChaosRunOptions {
  store: StoreUnderTest;
  dir: string;
  seed: number;
  chaosMs: number;
  drainMs: number;
  jobs: number;
  workers: number;
  /** Partition the workers from a networked store now and then (no-op for a libSQL file). */
  partition: boolean;
  log: (message: string) => void;
}

export interface ChaosRun {
  counts: ChaosCounts;
  /** Whether the queue was empty (nothing queued or active) before the drain deadline. */
  drained: boolean;
  drainMs: number;
  /** The producer had to be killed at the deadline (it had not enqueued everything). */
  producerKilled: boolean;
  /** When the faults started (epoch ms). */
  chaosStartedAt: number;
  /** The partitions made (empty without `partition`, or on a store with no network). */
  partitions: Partition[];
}

interface Child {
  process: ChildProcess;
  frozen: boolean;
  /** Killed or stopped by us: its exit is expected. */
  expected: boolean;
}

const HERE = import.meta.dirname;

/** Every child process of every store's run that has not exited yet. */
const running = new Set<ChildProcess>();

/** SIGKILLs every child process still running (frozen ones included): the run is aborted. */
export function killChildren(): void {
  for (const child of running) child.kill("SIGKILL");
}

export async function runChaos(options: ChaosRunOptions): Promise<ChaosRun> {
  const { store, dir, log } = options;
  const random = mulberry32(options.seed);
  const counts: ChaosCounts = {
    kills: 0,
    stalls: 0,
    redisRestarts: 0,
    storeCuts: 0,
    workersStarted: 0,
    workerCrashes: [],
  };
  const chaosStartedAt = Date.now();
  const partitions = options.partition
    ? await startPartitions({
        spec: store.spec,
        random: mulberry32(subSeed(options.seed, "partition")),
        forMs: options.chaosMs,
        log,
      })
    : null;
  const stderr = openSync(join(dir, "stderr.log"), "a");
  const spawnChild = (file: string, spec: StoreSpec, extra: Record<string, string> = {}) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(HERE, file)], {
      env: { ...process.env, CHAOS_STORE: JSON.stringify(spec), CHAOS_DIR: dir, ...extra },
      stdio: ["ignore", "ignore", stderr, "ipc"], // IPC: children exit when we do
    });
    running.add(child);
    child.once("exit", () => running.delete(child));
    return child;
  };

  const workers = new Map<number, Child>();
  const startWorker = () => {
    const child: Child = {
      process: spawnChild("worker.ts", partitions?.workerSpec ?? store.spec),
      frozen: false,
      expected: false,
    };
    const pid = child.process.pid ?? 0;
    workers.set(pid, child);
    counts.workersStarted += 1;
    child.process.once("exit", (code, signal) => {
      workers.delete(pid);
      if (!child.expected) counts.workerCrashes.push(`pid ${pid}: exit ${code ?? signal}`);
    });
  };
  for (let i = 0; i < options.workers; i++) startWorker();

  const producer = spawnChild("producer.ts", store.spec, {
    CHAOS_JOBS: String(options.jobs),
    // Enqueue over most of the chaos window, so faults hit enqueues and runs alike.
    CHAOS_SPREAD_MS: String(Math.round(options.chaosMs * 0.85)),
    CHAOS_SEED: String(options.seed ^ 0x5eed),
  });
  const producerDone = new Promise<void>((resolve) => producer.once("exit", () => resolve()));
  let producerExited = false;
  void producerDone.then(() => {
    producerExited = true;
  });

  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const pick = (list: Child[]) => list[Math.floor(random() * list.length)];
  const resume = (child: Child) => {
    if (!child.frozen) return;
    child.frozen = false;
    child.process.kill("SIGCONT");
  };

  const faults: Array<[number, () => Promise<void> | void]> = [
    [
      3,
      () => {
        const victim = pick([...workers.values()]);
        if (!victim) return;
        victim.expected = true;
        victim.process.kill("SIGKILL");
        counts.kills += 1;
        log(`kill -9 worker ${victim.process.pid}`);
        later(between(random, 300, 1_500), startWorker);
      },
    ],
    [
      3,
      () => {
        const victim = pick([...workers.values()].filter((w) => !w.frozen));
        if (!victim) return;
        victim.frozen = true;
        victim.process.kill("SIGSTOP");
        counts.stalls += 1;
        const ms = between(random, 2_500, 6_000);
        log(`freeze worker ${victim.process.pid} for ${ms} ms`);
        later(ms, () => resume(victim));
      },
    ],
  ];
  const { restartRedis, cut } = store;
  if (restartRedis) {
    faults.push([
      1,
      async () => {
        const ms = between(random, 300, 3_000);
        log(`kill -9 redis-server, restart after ${ms} ms`);
        counts.redisRestarts += 1;
        await restartRedis(ms);
      },
    ]);
  }
  if (cut) {
    faults.push([
      1,
      async () => {
        const ms = between(random, 2_000, 5_000);
        log(`cut the REST endpoint for ${ms} ms`);
        counts.storeCuts += 1;
        await cut(ms);
      },
    ]);
  }
  const totalWeight = faults.reduce((sum, [weight]) => sum + weight, 0);

  let partitionsMade: Partition[] = [];
  const stopFaults = async () => {
    if (partitions) partitionsMade = await partitions.stop();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    for (const child of workers.values()) resume(child);
  };
  try {
    const chaosEnds = Date.now() + options.chaosMs;
    while (true) {
      await sleep(between(random, 1_000, 3_000));
      if (Date.now() >= chaosEnds) break;
      let roll = random() * totalWeight;
      for (const [weight, fault] of faults) {
        roll -= weight;
        if (roll < 0) {
          await fault();
          break;
        }
      }
    }

    // Stop the chaos: heal, wake every frozen worker, bring the pool back to size, let it drain.
    await stopFaults();
    for (let i = workers.size; i < options.workers; i++) startWorker();
    log(`chaos over; draining with ${options.workers} workers`);

    const drainStarted = Date.now();
    const deadline = drainStarted + options.drainMs;
    const queue = openQueue(store.spec);
    let drained = false;
    let quietPolls = 0;
    while (Date.now() < deadline) {
      await sleep(1_000);
      try {
        const stats = await queue.stats();
        quietPolls =
          producerExited && stats.queued === 0 && stats.active === 0 ? quietPolls + 1 : 0;
      } catch (error) {
        log(`stats failed while draining: ${(error as Error).message}`);
        quietPolls = 0;
      }
      if (quietPolls >= 2) {
        drained = true;
        break;
      }
    }
    await queue.close().catch(() => {});
    const drainMs = Date.now() - drainStarted;
    log(drained ? `drained in ${drainMs} ms` : `NOT drained after ${drainMs} ms`);

    const producerKilled = !producerExited;
    if (producerKilled) log("producer still running at the deadline: killed");
    return {
      counts,
      drained,
      drainMs,
      producerKilled,
      chaosStartedAt,
      partitions: partitionsMade,
    };
  } finally {
    // Also when a fault could not be undone (e.g. redis-server did not come back).
    await stopFaults();
    if (producer.exitCode === null && producer.signalCode === null) producer.kill("SIGKILL");
    await producerDone;
    await stopAll([...workers.values()]);
    await partitions?.close();
    closeSync(stderr);
  }
}

/** SIGTERM (graceful stop), then SIGKILL whatever is still running 5 s later. */
async function stopAll(children: Child[]): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      child.expected = true;
      const proc = child.process;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}
