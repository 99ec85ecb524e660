/**
 * The Node side's handle on the bench Worker: one Miniflare (one workerd process) per store,
 * each running the same bundled Worker with that store's bindings, and the CPU each workerd
 * has used (Linux /proc; null elsewhere).
 */
import { Miniflare, type WorkerOptions } from "miniflare";
import type { BundledScript } from "../../test/support/build-worker-module.js";
import { moduleOptions } from "../../test/support/build-worker-module.js";
import { childPids, processCpuMicros } from "../lib/process-cpu.js";

/** The running Workers, by store id. */
export interface StoreWorkers {
  /** One measurement on one store: `GET <route>?store=<id>&<params>`, its JSON answer. */
  ask<T>(store: string, route: string, params: Record<string, number>): Promise<T>;
  /** CPU the store's workerd has used so far (user + system, µs), or null. */
  cpuMicros(store: string): number | null;
  dispose(): Promise<void>;
}

/** Starts one Miniflare per store, one after another (so each workerd's pid is known). */
export async function startStoreWorkers(
  script: BundledScript,
  stores: Array<{ id: string; options: Partial<WorkerOptions> }>,
): Promise<StoreWorkers> {
  const started = new Map<string, { mf: Miniflare; pid: number | null }>();
  try {
    for (const { id, options } of stores) {
      const before = new Set(childPids("workerd"));
      const mf = new Miniflare({ ...moduleOptions(script), ...options } as WorkerOptions);
      started.set(id, { mf, pid: null });
      await mf.ready;
      const fresh = childPids("workerd").filter((pid) => !before.has(pid));
      started.set(id, { mf, pid: fresh.length === 1 ? (fresh[0] as number) : null });
    }
  } catch (error) {
    await Promise.all([...started.values()].map(({ mf }) => mf.dispose()));
    throw error;
  }
  const workerOf = (store: string) => {
    const worker = started.get(store);
    if (!worker) throw new Error(`no Worker for store ${store}`);
    return worker;
  };
  return {
    async ask<T>(store: string, route: string, params: Record<string, number>) {
      const query = new URLSearchParams({ store });
      for (const [name, value] of Object.entries(params)) query.set(name, String(value));
      const response = await workerOf(store).mf.dispatchFetch(`http://bench${route}?${query}`);
      if (!response.ok) throw new Error(`${route} on ${store}: ${await response.text()}`);
      return (await response.json()) as T;
    },
    cpuMicros(store) {
      const { pid } = workerOf(store);
      return pid === null ? null : processCpuMicros(pid);
    },
    async dispose() {
      await Promise.all([...started.values()].map(({ mf }) => mf.dispose()));
    },
  };
}
