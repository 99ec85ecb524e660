import { describe, expect, it } from "vitest";
import { parseOptions, SECTIONS, SIZES } from "../../bench/lib/options.js";
import type { Run } from "../../bench/throughput.js";
import {
  type ThroughputResults,
  throughputTables,
  whyNoRatios,
} from "../../bench/throughput-section.js";

describe("bench command line", () => {
  it("takes the mode's sizes and every section by default", () => {
    const full = parseOptions([]);
    expect(full).toMatchObject({ mode: "full", sizes: SIZES.full, custom: false });
    expect([...full.sections]).toEqual([...SECTIONS]);
    expect(parseOptions(["--quick"]).sizes).toEqual(SIZES.quick);
    expect(parseOptions(["--smoke"]).mode).toBe("smoke");
  });

  it("overrides sizes and picks sections, marking the run custom", () => {
    const options = parseOptions([
      "--jobs",
      "1000",
      "--runs",
      "2",
      "--warmup",
      "0",
      "--rounds",
      "2",
      "--only",
      "throughput,wal",
    ]);
    expect(options.sizes).toMatchObject({ jobs: 1000, runs: 2, warmup: 0, rounds: 2 });
    expect([...options.sections]).toEqual(["throughput", "wal"]);
    expect(options.custom).toBe(true);
  });

  it("refuses unknown flags, sections and bad counts", () => {
    expect(() => parseOptions(["--fast"])).toThrow(/unknown flag/);
    expect(() => parseOptions(["--only", "speed"])).toThrow(/no section speed/);
    expect(() => parseOptions(["--jobs", "0"])).toThrow(/not a valid count/);
    expect(() => parseOptions(["--runs"])).toThrow(/needs a value/);
  });

  it("sets figures against the peers only at full sizes (small drains never warm BullMQ)", () => {
    expect(whyNoRatios("full", SIZES.full)).toBeNull();
    expect(whyNoRatios("quick", SIZES.quick)).toMatch(/--quick's sizes .* never warm BullMQ/);
    expect(whyNoRatios("full", { ...SIZES.full, warmup: 2_000 })).toMatch(/these sizes/);
  });
});

describe("section 1 tables", () => {
  const run = (jobsPerSecond: number, clientCpuMicrosPerJob: number, redis: number | null) => ({
    jobsPerSecond,
    clientCpuMicrosPerJob,
    redisCpuMicrosPerJob: redis,
    redisCommandsPerJob: redis === null ? null : 30,
    httpRequestsPerJob: null,
    endpointCpuMicrosPerJob: null,
  });
  const subject = (cold: Run, warm: Run) => ({
    cold,
    warm,
    coldRuns: [cold],
    warmRuns: [warm],
    warmupSeconds: [1],
  });
  const shape = {
    "redis-tcp": subject(run(5_000, 100, 50), run(10_000, 40, 60)),
    bullmq: subject(run(2_500, 300, 50), run(20_000, 60, 60)),
  };
  const results: ThroughputResults = {
    ...{ jobs: 5_000, warmupJobs: 20_000, runs: 1, rounds: 1, workers: 10 },
    order: ["redis-tcp", "bullmq"],
    byConcurrency: { "1": shape, "5": shape },
  };

  it("titles every table with the machine and sets ours against the peer, cold and warm", () => {
    const text = throughputTables(results, "Test CPU × 2", null).join("\n");
    const titles = text.split("\n").filter((line) => /^(1\.|Ours ÷ peer)/.test(line));
    expect(titles).toHaveLength(3);
    for (const title of titles) expect(title).toContain("[Test CPU × 2]");
    const ratio = text
      .split("\n")
      .find((line) => line.startsWith("Redis over TCP") && line.includes("÷"));
    // jobs/s, client CPU, client + redis CPU: cold 2, 0.33, 0.43; warm 0.5, 0.67, 0.83
    const cells = ratio?.trim().split(/\s{2,}/) ?? [];
    expect(cells.slice(2)).toEqual(["2", "0.33", "0.43", "0.5", "0.67", "0.83"]);
  });

  it("prints why instead of ratios below the full sizes", () => {
    const text = throughputTables(results, "Test CPU × 2", "too small").join("\n");
    expect(text).toContain("No ratios to the peers: too small.");
    expect(text).not.toContain("Ours ÷ peer");
  });
});
