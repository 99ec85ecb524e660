/**
 * Runs one configuration and seed of the differential suite: the same sequence of contract
 * calls on the backend under test and on a fresh oracle (`memoryBackend()` with the same
 * features), every answer compared.
 */
import { expect } from "vitest";
import type { Backend } from "../backend.js";
import type { DifferentialConfig } from "./differential-configs.js";
import { DifferentialModel } from "./differential-model.js";
import { envVar, Random } from "./differential-random.js";
import type { Step } from "./differential-steps.js";
import * as core from "./differential-steps.js";
import * as groups from "./differential-steps-features.js";
import { memoryBackend } from "./memory-backend.js";

type StepMaker = (m: DifferentialModel) => Step | null;

/** What one run needs. */
export interface DifferentialRun {
  backend: Backend;
  config: DifferentialConfig;
  seed: number;
  /** Calls to make (re-sends not counted). */
  ops: number;
  /** A fresh queue name. */
  queue: string;
}

/** The steps to draw from, by weight, for this configuration and backend. */
function stepChoices(m: DifferentialModel): Array<readonly [number, StepMaker]> {
  const choices: Array<readonly [number, StepMaker]> = [
    [14, core.enqueueStep],
    [14, core.claimStep],
    [8, core.completeStep],
    [5, core.failStep],
    [3, core.releaseStep],
    [5, core.updateStep],
    [3, core.cancelStep],
    [3, core.retryStep],
    [3, core.getStep],
    [3, core.readEventsStep],
    [2, core.listStep],
    [2, core.statsStep],
    [1, core.snapshotStep],
    [0.3, core.purgeStep],
    [12, core.clockStep],
  ];
  if (m.config.limits && m.has("limits")) {
    choices.push([2, groups.setQueueLimitsStep], [4, groups.setKeyLimitsStep]);
    choices.push([1, groups.readLimitsStep]);
  }
  if (m.config.schedules && m.has("schedules")) {
    choices.push([3, groups.putScheduleStep], [0.5, groups.deleteScheduleStep]);
    choices.push(
      [1, groups.listSchedulesStep],
      [m.refills.length > 0 ? 20 : 0, groups.refillScheduleStep],
    );
  }
  if (m.has("groupedCompletion")) {
    choices.push([4, groups.completeAndClaimStep], [3, groups.completeAndClaimManyStep]);
  }
  return choices;
}

function nextStep(m: DifferentialModel): Step {
  for (;;) {
    const made = m.random.weighted(stepChoices(m))(m);
    if (made) return made;
  }
}

/** The answer of a call, or the code of the error it threw. */
async function answer(
  step: Step,
  backend: Backend,
): Promise<{ value: unknown } | { error: string }> {
  try {
    return { value: await step.call(backend) };
  } catch (error) {
    const code = (error as { code?: unknown })?.code;
    return { error: typeof code === "string" ? code : String(error) };
  }
}

/**
 * Runs the calls; the first answer that differs fails with what it takes to replay it. With
 * env `DIFFERENTIAL_TRACE` set, every call and the oracle's answer are logged.
 */
export async function runDifferential(run: DifferentialRun): Promise<void> {
  const { backend, config, seed } = run;
  const features = backend.capabilities.features;
  const oracle = memoryBackend({ features });
  const model = new DifferentialModel(run.queue, config, new Random(seed), features);
  const recent: string[] = [];
  const trace = envVar("DIFFERENTIAL_TRACE") !== undefined;
  try {
    for (let index = 0; index < run.ops; index++) {
      const step = nextStep(model);
      const sends = step.mutates && model.random.chance(0.1) ? 2 : 1;
      for (let send = 1; send <= sends; send++) {
        const got = await answer(step, backend);
        const want = await answer(step, oracle);
        if (trace)
          console.log(`#${index} ${describeStep(step, send)}\n  -> ${JSON.stringify(want)}`);
        // Most answers are equal: compare their JSON first, and build the message only if not.
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          const message =
            `differential "${config.name}", seed ${seed}, op #${index}: ${describeStep(step, send)}\n` +
            `  before: ${recent.join(", ")}\n` +
            `  replay: DIFFERENTIAL_CONFIG="${config.name}" DIFFERENTIAL_SEEDS=${seed} ` +
            `DIFFERENTIAL_OPS=${run.ops}\n  (expected: the oracle's answer)`;
          expect(got, message).toEqual(want);
        }
        if (send === 1 && "value" in want) step.observe(want.value);
      }
      recent.push(`#${index} ${step.name}`);
      if (recent.length > 6) recent.shift();
    }
  } finally {
    await cleanUp(backend, model);
  }
}

/** The step as the failure message and the trace print it. */
function describeStep(step: Step, send: number): string {
  return `${step.name}${send > 1 ? " (re-sent)" : ""} ${JSON.stringify(step.input)}`;
}

/** Deletes what the run stored: its jobs and schedules. */
async function cleanUp(backend: Backend, model: DifferentialModel): Promise<void> {
  const scope = model.scope();
  await backend.purge(scope);
  if (!backend.listSchedules || !backend.deleteSchedule) return;
  for (const schedule of await backend.listSchedules(scope)) {
    await backend.deleteSchedule({ ...scope, id: schedule.id });
  }
}
