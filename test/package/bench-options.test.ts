import { describe, expect, it } from "vitest";
import { parseOptions, SECTIONS, SIZES } from "../../bench/lib/options.js";
import { whyNoRatios } from "../../bench/throughput-section.js";

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
