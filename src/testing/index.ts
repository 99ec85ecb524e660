/**
 * The backend conformance suite: every backend must pass it unchanged.
 *
 * @example
 * // my-backend.test.ts (vitest)
 * import { testBackend } from "jdobb-async-queue/testing";
 * testBackend({ name: "my-store", create: () => myBackend({ ... }) });
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import { type Backend, type BackendFeature, hasFeature } from "../backend.js";
import { createHarness, type Harness } from "./harness.js";
import { dataSuite } from "./suite-data.js";
import { differentialSuite } from "./suite-differential.js";
import { groupSuite } from "./suite-groups.js";
import { keySuite } from "./suite-keys.js";
import { leaseSuite } from "./suite-leases.js";
import { lifecycleSuite } from "./suite-lifecycle.js";
import { orderingSuite } from "./suite-ordering.js";
import { pushSuite } from "./suite-push.js";
import { resendSuite } from "./suite-resend.js";
import { scheduleSuite } from "./suite-schedules.js";

export { ManualClock } from "../internal/clock.js";
export type { Harness } from "./harness.js";
export { type MemoryBackendOptions, memoryBackend } from "./memory-backend.js";

/** Options for {@link testBackend}. */
export interface TestBackendOptions {
  /** Shown in the test names. */
  name: string;
  /** Creates the backend once for the suite; each test uses a fresh queue name on it. */
  create: () => Backend | Promise<Backend>;
  /** Runs after the suite (e.g. stop a server); the backend is closed before it. */
  teardown?: (() => void | Promise<void>) | undefined;
  /**
   * Calls per configuration of the differential suite (default 2,000; env
   * `DIFFERENTIAL_OPS` wins): fewer for a store that pays a round trip per call.
   */
  differentialOps?: number | undefined;
}

const [GROUPS, KEYS, SCHEDULES, PUSH] = [
  "grouped completions",
  "concurrency keys and rate limits",
  "schedules",
  "pushed notices",
];
/** The sections that test an optional group, by name. */
const SECTION_FEATURES = new Map<string, BackendFeature>([
  [GROUPS, "groupedCompletion"],
  [KEYS, "limits"],
  [SCHEDULES, "schedules"],
  [PUSH, "push"],
]);

/** Registers the conformance suite for one backend configuration with vitest. */
export function testBackend(options: TestBackendOptions): void {
  describe(`backend conformance: ${options.name}`, () => {
    let backend: Backend;
    let harness: ReturnType<typeof createHarness>;
    beforeAll(async () => {
      backend = await options.create();
    });
    beforeEach((context) => {
      // A section for an optional group is skipped (and says so) when the backend lacks it.
      const feature = SECTION_FEATURES.get(context.task.suite?.name ?? "");
      if (feature && !hasFeature(backend, feature)) {
        context.skip(`${options.name} does not declare ${feature}`);
      }
      harness = createHarness(backend);
    });
    afterEach(async () => {
      await harness.dispose();
    });
    afterAll(async () => {
      await backend?.close?.();
      await options.teardown?.();
    });
    const current = (): Harness => harness;
    describe("ordering", () => orderingSuite(current));
    describe("leases", () => leaseSuite(current));
    describe("lifecycle", () => lifecycleSuite(current));
    describe("data", () => dataSuite(current));
    describe("re-sent calls", () => resendSuite(current));
    describe(GROUPS, () => groupSuite(current));
    describe(KEYS, () => keySuite(current));
    describe(SCHEDULES, () => scheduleSuite(current));
    describe(PUSH, () => pushSuite(current));
    describe("differential (against memoryBackend)", () =>
      differentialSuite(current, options.differentialOps));
  });
}
