/** The demo's two job types: their payload schemas and handlers. */
import { z } from "zod";
import type { JobHandler, JobQueue, Worker } from "../../src/index.js";

/** Standard Schemas the HTTP API validates payloads against. */
export const schemas = {
  resize: z.object({ image: z.string().min(1), tiles: z.number().int().min(1).max(20).default(4) }),
  report: z.object({ month: z.string().regex(/^\d{4}-\d{2}$/) }),
};

type Resize = z.infer<typeof schemas.resize>;
type Report = z.infer<typeof schemas.report>;

const running = new Set<string>();

/** How many demo jobs this process is running right now (for the shutdown message). */
export const runningJobs = (): number => running.size;

function counted<Payload>(fn: JobHandler<Payload>): JobHandler<Payload> {
  return async (ctx) => {
    running.add(ctx.job.id);
    try {
      return await fn(ctx);
    } finally {
      running.delete(ctx.job.id);
    }
  };
}

/** Registers the demo handlers; each reports progress as it goes. */
export function registerDemoHandlers(worker: Worker, queue: JobQueue, stepMs = 400): Worker {
  const sleep = (signal: AbortSignal) => queue.clock.sleep(stepMs, signal);
  return worker
    .handler<Resize>(
      "resize",
      counted(async (ctx) => {
        const { image, tiles } = ctx.payload;
        for (let tile = 1; tile <= tiles; tile++) {
          await sleep(ctx.signal);
          await ctx.update({ progress: tile / tiles, message: `tile ${tile}/${tiles}` });
        }
        return { thumbnail: image.replace(/(\.\w+)?$/, ".thumb$1") };
      }),
    )
    .handler<Report>(
      "report",
      counted(async (ctx) => {
        if (ctx.attempt === 1) {
          await sleep(ctx.signal);
          throw new Error("warehouse timed out (the first attempt fails on purpose)");
        }
        for (const [i, step] of ["query", "aggregate", "render"].entries()) {
          await sleep(ctx.signal);
          await ctx.update({ progress: (i + 1) / 3, message: step });
        }
        return { month: ctx.payload.month, rows: 1_204 };
      }),
    );
}
