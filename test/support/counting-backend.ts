/** A backend whose calls are counted per method (no vitest here: the bench and Worker fixtures use it). */
import type { Backend } from "../../src/backend.js";

/** Counts calls per backend method, passing them through. */
export function countingBackend<B extends Backend>(
  inner: B,
): { backend: B; calls: Map<string, number>; total(): number } {
  const calls = new Map<string, number>();
  const backend = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return value.apply(target, args);
      };
    },
  });
  const total = () => [...calls.values()].reduce((sum, n) => sum + n, 0);
  return { backend, calls, total };
}
