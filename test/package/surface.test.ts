/**
 * The public surface per audience, read by the TypeScript compiler from the sources: the root
 * entry holds what applications call (value and type names alike, counted), `/backend` what a
 * backend's author needs, and no signature an application calls names a contract type.
 */
import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const ROOT = join(root, "src/index.ts");
const BACKEND_KIT = join(root, "src/backend-kit.ts");
const CONTRACT = join(root, "src/backend.ts");

/** The root's budget: a reader takes it in at a glance. */
const MAX_ROOT_NAMES = 45;

/** Contract types that are also the application's: the option's type, user vocabulary. */
const SHARED = ["Backend", "EnqueueOutcome", "KeyLimits", "RateLimit"];

/** What applications import from `jdobb-async-queue`; a change here is an API change. */
const ROOT_NAMES = [
  "Backend",
  "BackendError",
  "BackendUnavailableError",
  "BackoffOptions",
  "Broadcaster",
  "Clock",
  "DrainSummary",
  "EnqueueItem",
  "EnqueueOptions",
  "EnqueueResult",
  "InvalidPayloadError",
  "InvalidStateError",
  "Job",
  "JobContext",
  "JobCounts",
  "JobDefinitions",
  "JobError",
  "JobHandler",
  "JobNotFoundError",
  "JobPage",
  "JobQueue",
  "JobQueueOptions",
  "JobState",
  "JobTimeoutError",
  "JobUpdate",
  "KeyLimits",
  "LeaseLostError",
  "ManualClock",
  "MissingPeerError",
  "NoHandlerError",
  "PayloadIssue",
  "QueueClosedError",
  "QueueLimitOptions",
  "QueueError",
  "RateLimit",
  "Schedule",
  "ScheduleOptions",
  "TypedJob",
  "UnknownJobTypeError",
  "UnsupportedError",
  "ValidationError",
  "Worker",
  "WorkerOptions",
];

let program: ts.Program;
let checker: ts.TypeChecker;

function exportsOf(file: string): ts.Symbol[] {
  const source = program.getSourceFile(file);
  const module = source && checker.getSymbolAtLocation(source);
  if (!module) throw new Error(`${file} is not a module`);
  return checker.getExportsOfModule(module);
}

const resolved = (symbol: ts.Symbol) =>
  symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;

/**
 * The names of contract declarations (other than {@link SHARED} ones) that the public part of
 * an exported declaration refers to: a class's non-private members, an interface's or a type
 * alias's whole text.
 */
function contractTypesIn(symbol: ts.Symbol): string[] {
  const found = new Set<string>();
  const visit = (node: ts.Node): void => {
    const name = ts.isTypeReferenceNode(node)
      ? node.typeName
      : ts.isExpressionWithTypeArguments(node)
        ? node.expression
        : ts.isImportTypeNode(node)
          ? node.qualifier
          : undefined;
    if (name) {
      const target = checker.getSymbolAtLocation(name);
      const file = target && resolved(target).declarations?.[0]?.getSourceFile().fileName;
      if (target && file === CONTRACT && !SHARED.includes(target.name)) found.add(target.name);
    }
    ts.forEachChild(node, visit);
  };
  for (const declaration of resolved(symbol).declarations ?? []) {
    if (!ts.isClassDeclaration(declaration)) {
      visit(declaration);
      continue;
    }
    for (const member of declaration.members) {
      const hidden =
        (member.name && ts.isPrivateIdentifier(member.name)) ||
        ts
          .getModifiers(member as ts.HasModifiers)
          ?.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword);
      if (hidden) continue;
      // The signature, not the body: parameters, return and property types.
      if (ts.isFunctionLike(member)) {
        for (const parameter of member.parameters) if (parameter.type) visit(parameter.type);
        if (member.type) visit(member.type);
        for (const typeParameter of member.typeParameters ?? []) visit(typeParameter);
      } else if (ts.isPropertyDeclaration(member) && member.type) {
        visit(member.type);
      }
    }
  }
  return [...found];
}

describe("public surface", () => {
  beforeAll(() => {
    const config = ts.getParsedCommandLineOfConfigFile(
      join(root, "tsconfig.json"),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
    );
    program = ts.createProgram([ROOT, BACKEND_KIT], config?.options ?? {});
    checker = program.getTypeChecker();
  }, 60_000);

  it(`the root exports what applications call, at most ${MAX_ROOT_NAMES} names`, () => {
    const names = exportsOf(ROOT)
      .map((symbol) => symbol.name)
      .sort();
    expect(names).toEqual([...ROOT_NAMES].sort());
    expect(names.length).toBeLessThanOrEqual(MAX_ROOT_NAMES);
  });

  it("the root exports no contract type beyond the shared ones", () => {
    const contract = exportsOf(CONTRACT).map((symbol) => symbol.name);
    const leaked = exportsOf(ROOT)
      .map((symbol) => symbol.name)
      .filter((name) => contract.includes(name) && !SHARED.includes(name));
    expect(leaked).toEqual([]);
  });

  it("no signature an application calls names a contract type", () => {
    const offenders = exportsOf(ROOT)
      .filter((symbol) => !SHARED.includes(symbol.name))
      .flatMap((symbol) => contractTypesIn(symbol).map((type) => `${symbol.name} uses ${type}`));
    expect(offenders).toEqual([]);
  });

  it("/backend exports the whole contract, plus the job types and errors it names", () => {
    const kit = exportsOf(BACKEND_KIT).map((symbol) => symbol.name);
    const contract = exportsOf(CONTRACT).map((symbol) => symbol.name);
    expect(contract.filter((name) => !kit.includes(name))).toEqual([]);
    expect(kit).toEqual(
      expect.arrayContaining(["JobState", "JobCounts", "JobUpdateType", "QueueError"]),
    );
  });

  it("/backend holds its constants, helpers and errors as values", async () => {
    const kit = await import("../../src/backend-kit.js");
    expect(kit.SCHEDULES_PER_CLAIM).toBeTypeOf("number");
    expect(kit.SCHEDULE_REFILL_BELOW).toBeTypeOf("number");
    expect(kit.TYPE_SKIP_DEPTH).toBeTypeOf("number");
    expect(kit.NO_LIMITS).toEqual({ keyConcurrency: null, keyRateLimit: null, typeRateLimits: [] });
    expect(kit.BACKEND_FEATURES).toContain("schedules");
    expect(kit.JOB_STATES).toContain("queued");
    expect(kit.scheduledJobId("q", "nightly", 1)).toBe("q@nightly@1");
    expect(kit.hasFeature).toBeTypeOf("function");
    expect(new kit.BackendUnavailableError("down")).toBeInstanceOf(kit.QueueError);
    expect(new kit.BackendError("refused").code).toBe("BACKEND_ERROR");
    expect(new kit.ValidationError("bad", "prefix").field).toBe("prefix");
  });
});
