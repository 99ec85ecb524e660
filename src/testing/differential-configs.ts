/** The configurations the differential suite runs: what kind of queue each one exercises. */
import type { BackendFeature } from "../backend.js";

/** One kind of queue: the jobs it gets and the settings it changes. */
export interface DifferentialConfig {
  name: string;
  /** Run only on backends that declare these (operations are also gated one by one). */
  needs: readonly BackendFeature[];
  /** Priorities are drawn from 0 to `priorities - 1`. */
  priorities: number;
  /** Concurrency keys `k0`… drawn from this many (0: no keys). */
  keys: number;
  /** Share of enqueued jobs that get a key. */
  keyedShare: number;
  types: readonly string[];
  /** Stores queue settings (key concurrency; with `rateWindows`, rates) and per-key overrides. */
  limits: boolean;
  /** Key and type rate windows in the settings and overrides. */
  rateWindows: boolean;
  schedules: boolean;
}

/** Window sizes rates use: short enough that the clock crosses many of them. */
export const WINDOW_SIZES = [1_000, 5_000, 60_000] as const;

/** Every configuration, in the order they run. */
export const DIFFERENTIAL_CONFIGS: readonly DifferentialConfig[] = [
  {
    name: "plain",
    needs: [],
    priorities: 2,
    keys: 0,
    keyedShare: 0,
    types: ["t"],
    limits: false,
    rateWindows: false,
    schedules: false,
  },
  {
    name: "keys and limits",
    needs: ["limits"],
    priorities: 4,
    keys: 64,
    keyedShare: 0.8,
    types: ["t", "u"],
    limits: true,
    rateWindows: false,
    schedules: false,
  },
  {
    name: "rate windows",
    needs: ["limits"],
    priorities: 3,
    keys: 8,
    keyedShare: 0.6,
    types: ["a", "b", "c"],
    limits: true,
    rateWindows: true,
    schedules: false,
  },
  {
    name: "schedules",
    needs: ["schedules"],
    priorities: 2,
    keys: 3,
    keyedShare: 0.3,
    types: ["t", "s"],
    limits: false,
    rateWindows: false,
    schedules: true,
  },
  {
    name: "everything",
    needs: ["limits", "schedules"],
    priorities: 4,
    keys: 60,
    keyedShare: 0.7,
    types: ["a", "b", "c"],
    limits: true,
    rateWindows: true,
    schedules: true,
  },
];
