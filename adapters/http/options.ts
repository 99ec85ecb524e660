/**
 * Startup checks of the routes' and adapters' numeric options. A value from an environment
 * variable is a string, `NaN` slips through arithmetic, and 0 may mean "as often as possible":
 * each is refused with a {@link ValidationError} naming the option, before any request.
 */
import { ValidationError } from "../../src/index.js";

/** Bounds of one integer option. */
export interface IntBounds {
  min: number;
  max: number;
}

/**
 * `value` when it is an integer within `bounds`, `fallback` when it is `undefined`; anything
 * else (a string, `NaN`, a fraction, out of range) throws, naming `option`.
 */
export function intOption(
  value: unknown,
  option: string,
  bounds: IntBounds,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new ValidationError(`${option} must be an integer (a number, not a string)`, option);
  }
  if (value < bounds.min || value > bounds.max) {
    throw new ValidationError(`${option} must be from ${bounds.min} to ${bounds.max}`, option);
  }
  return value;
}

/** A whole number of milliseconds from 1 ms up to `max` (default one day). */
export function msOption(
  value: unknown,
  option: string,
  fallback: number,
  bounds: Partial<IntBounds> = {},
): number {
  return intOption(
    value,
    option,
    { min: bounds.min ?? 1, max: bounds.max ?? 86_400_000 },
    fallback,
  );
}
