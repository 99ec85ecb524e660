/**
 * The bench's command line: a mode (`--quick`, `--smoke`, or full) that sets the sizes, flags
 * that override single sizes, and `--only` to run some sections.
 *
 * ```sh
 * node --import tsx bench/run.ts --jobs 1000 --runs 2 --warmup 2000 --only throughput
 * ```
 */

/** full: the numbers to publish; quick: a minute's look (never against peers); smoke: CI. */
export type Mode = "full" | "quick" | "smoke";

/** The sections of `bench/run.ts`, in the order they run (`--only a,b` picks some). */
export const SECTIONS = [
  "throughput",
  "wal",
  "features",
  "calls",
  "idle",
  "memory",
  "sse",
  "bundle",
  "cloudflare",
] as const;
export type Section = (typeof SECTIONS)[number];

export interface Sizes {
  /** Jobs per measured throughput run. */
  jobs: number;
  /** Warm runs per child process (their median is the warm figure). */
  runs: number;
  /** Jobs drained, untimed, between the cold run and the warm runs (warms the JIT and caches). */
  warmup: number;
  /** Fresh child processes per configuration and shape, interleaved across configurations. */
  rounds: number;
  idleSeconds: number;
  /** SSE latency samples per writer. */
  updates: number;
  /** Worker counts of the memory section. */
  workers: number[];
}

export interface Options {
  mode: Mode;
  sizes: Sizes;
  sections: ReadonlySet<Section>;
  /** Whether a flag changed the mode's sizes or sections (results are then saved apart). */
  custom: boolean;
}

/** Each mode's sizes. */
export const SIZES: Record<Mode, Sizes> = {
  full: {
    jobs: 5_000,
    runs: 3,
    warmup: 20_000,
    rounds: 3,
    idleSeconds: 60,
    updates: 40,
    workers: [1, 10, 100],
  },
  quick: {
    jobs: 1_000,
    runs: 3,
    warmup: 2_000,
    rounds: 1,
    idleSeconds: 15,
    updates: 12,
    workers: [1, 10, 100],
  },
  smoke: {
    jobs: 100,
    runs: 1,
    warmup: 100,
    rounds: 1,
    idleSeconds: 1,
    updates: 3,
    workers: [1, 3],
  },
};

/** The numeric flags and the size each overrides. */
const NUMERIC: Record<string, "jobs" | "runs" | "warmup" | "rounds"> = {
  "--jobs": "jobs",
  "--runs": "runs",
  "--warmup": "warmup",
  "--rounds": "rounds",
};

/** Parses `argv` (without node and the script). Throws on an unknown flag or a bad value. */
export function parseOptions(argv: string[]): Options {
  const mode: Mode = argv.includes("--smoke")
    ? "smoke"
    : argv.includes("--quick")
      ? "quick"
      : "full";
  const sizes = { ...SIZES[mode] };
  let sections = new Set<Section>(SECTIONS);
  let custom = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string;
    if (flag === "--smoke" || flag === "--quick") continue;
    const size = NUMERIC[flag];
    if (flag !== "--only" && !size) {
      const known = ["--quick", "--smoke", "--only", ...Object.keys(NUMERIC)].join(", ");
      throw new Error(`unknown flag ${flag} (known: ${known})`);
    }
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    custom = true;
    if (size) {
      const number = Number(value);
      if (!Number.isInteger(number) || number < (size === "warmup" ? 0 : 1)) {
        throw new Error(`${flag} ${value}: not a valid count`);
      }
      sizes[size] = number;
    } else {
      const picked = value.split(",");
      const unknown = picked.filter((name) => !(SECTIONS as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`--only: no section ${unknown.join(", ")}`);
      sections = new Set(picked as Section[]);
    }
  }
  return { mode, sizes, sections, custom };
}
