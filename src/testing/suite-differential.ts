import { it } from "vitest";
import { hasFeature } from "../backend.js";
import { newToken } from "../internal/ids.js";
import { DIFFERENTIAL_CONFIGS } from "./differential-configs.js";
import { envVar } from "./differential-random.js";
import { runDifferential } from "./differential-run.js";
import type { Harness } from "./harness.js";

/** Calls per configuration, across its seeds (env `DIFFERENTIAL_OPS` for a longer run). */
const DEFAULT_OPS = 2_000;
const DEFAULT_SEEDS = [1, 2, 3, 4];

/**
 * Random operations, the same on the backend and on the oracle (`memoryBackend()`), every
 * answer compared: per configuration (a kind of queue) and seed, skipped where the backend
 * lacks a feature the configuration needs. `ops`: calls per configuration, across its seeds.
 * Env: `DIFFERENTIAL_OPS` (calls per configuration, wins over `ops`),
 * `DIFFERENTIAL_SEEDS` (comma-separated), `DIFFERENTIAL_CONFIG` (a configuration's name),
 * `DIFFERENTIAL_TRACE` (log every call).
 */
export function differentialSuite(h: () => Harness, ops = DEFAULT_OPS): void {
  const seeds = envVar("DIFFERENTIAL_SEEDS")?.split(",").map(Number) ?? DEFAULT_SEEDS;
  const total = Number(envVar("DIFFERENTIAL_OPS") ?? ops);
  if (!Number.isInteger(total) || total < 1 || !seeds.every(Number.isInteger)) {
    throw new Error("DIFFERENTIAL_OPS must be a positive integer, DIFFERENTIAL_SEEDS integers");
  }
  const only = envVar("DIFFERENTIAL_CONFIG");
  const configs = DIFFERENTIAL_CONFIGS.filter((config) => !only || config.name === only);
  if (configs.length === 0) {
    const names = DIFFERENTIAL_CONFIGS.map((config) => `"${config.name}"`).join(", ");
    throw new Error(`DIFFERENTIAL_CONFIG names none of ${names}`);
  }
  for (const config of configs) {
    for (const seed of seeds) {
      it(`${config.name}, seed ${seed}`, { timeout: 600_000 }, async ({ skip }) => {
        const { backend } = h();
        if (!config.needs.every((feature) => hasFeature(backend, feature))) {
          skip(`${backend.name} lacks ${config.needs.join(" or ")}`);
          return;
        }
        const ops = Math.ceil(total / seeds.length);
        await runDifferential({
          backend,
          config,
          seed,
          ops,
          queue: `d-${newToken().slice(0, 12)}`,
        });
      });
    }
  }
}
