import { describe, expect, it } from "vitest";
import { recoveryTimes } from "../../scripts/chaos/partition.js";

describe("chaos recovery times", () => {
  it("measure each heal to the first completion at or after it", () => {
    const start = 1_000_000;
    const partitions = [
      { startedAt: start + 10_000, healedAt: start + 17_000 },
      { startedAt: start + 30_000, healedAt: start + 35_000 },
      { startedAt: start + 50_000, healedAt: start + 60_000 },
    ];
    // Completions in any order; one stamped before the first heal (held during the partition).
    const completedAt = [start + 35_000, start + 16_900, start + 17_450, start + 5_000];
    expect(recoveryTimes(partitions, completedAt, start)).toEqual([
      { atS: 10, ms: 7_000, recoveryMs: 450 },
      { atS: 30, ms: 5_000, recoveryMs: 0 },
      { atS: 50, ms: 10_000, recoveryMs: null },
    ]);
  });
});
