/** Seeded choices for the chaos run: the same seed replays the same choices. */
export { mulberry32 } from "../../src/testing/differential-random.js";

/** An integer in [min, max]. */
export function between(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

/** Derives an independent seed for a named stream (e.g. one per store). */
export function subSeed(seed: number, name: string): number {
  let h = seed >>> 0;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}
