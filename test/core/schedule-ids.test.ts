/** Schedule ids are addressable over HTTP: nothing a URL normalises (`.`, `..`). */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/index.js";
import { memoryQueue } from "../support/memory-queue.js";

const every = { cron: "* * * * *", type: "t", payload: {} };

describe("schedule ids", () => {
  it("refuses ids made only of dots", async () => {
    const { queue } = memoryQueue();
    for (const id of [".", "..", "...", ""]) {
      await expect(queue.schedule(id, every), JSON.stringify(id)).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await queue.schedules()).toEqual([]);
  });

  it("accepts ids with dots among other characters", async () => {
    const { queue } = memoryQueue();
    for (const id of ["a.b", ".hidden", "v1..2", "report.", "a:b-c_d"]) {
      await expect(queue.schedule(id, every)).resolves.toMatchObject({ id });
    }
  });
});
