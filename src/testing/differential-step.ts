/** One call of the differential suite: a {@link Step}, and how steps are made. */
import { type Backend, type BackendFeature, type FeatureMethods, hasFeature } from "../backend.js";

/** One contract call, made the same way on the backend under test and on the oracle. */
export interface Step {
  name: string;
  /** What was sent (printed when the answers differ). */
  input: unknown;
  /** A mutating call, which the suite sometimes sends twice (a re-send). */
  mutates: boolean;
  /** Makes the call; the answer is what is compared. */
  call(backend: Backend): Promise<unknown>;
  /** Learns from the oracle's answer. */
  observe(answer: unknown): void;
}

/** A {@link Step} whose answer has type `T`. */
export interface StepSpec<T> {
  name: string;
  input: unknown;
  mutates: boolean;
  call(backend: Backend): Promise<T>;
  observe?(answer: T): void;
}

/** Erases a typed step's answer type, so steps of every kind fit in one list. */
export function step<T>(spec: StepSpec<T>): Step {
  const { observe } = spec;
  return { ...spec, observe: (answer) => observe?.(answer as T) };
}

/** The methods of an optional group (steps that need one are generated only where declared). */
export function group<F extends BackendFeature>(backend: Backend, feature: F): FeatureMethods[F] {
  if (!hasFeature(backend, feature)) throw new Error(`${backend.name} lacks "${feature}"`);
  return backend;
}
