// Option checking shared by the schedulers: every option is validated before
// a scheduler touches its optimizer, and a message names the scheduler, the
// option and the value it got.
import { describe, optionsArg } from "../../validate.js";

export { describe };

/** Throws unless `options` is a plain object whose keys are all in `allowed`; returns it. */
export function readOptions(where: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  return optionsArg(where, options, allowed);
}

/**
 * A number satisfying `ok` (described by `what`, e.g. "a positive integer"),
 * or `fallback` when the option is absent. `required` options have no fallback.
 */
export function numberOption(
  where: string,
  key: string,
  value: unknown,
  what: string,
  ok: (x: number) => boolean,
  fallback?: number,
): number {
  if (value === undefined) {
    if (fallback === undefined) throw new TypeError(`${where}: option ${key} is required (${what})`);
    return fallback;
  }
  if (typeof value !== "number") throw new TypeError(`${where}: ${key} must be ${what}, got ${describe(value)}`);
  if (!ok(value)) throw new RangeError(`${where}: ${key} must be ${what}, got ${describe(value)}`);
  return value;
}

export const isFiniteNumber = (x: number): boolean => Number.isFinite(x);
export const isNonNegative = (x: number): boolean => Number.isFinite(x) && x >= 0;
export const isPositive = (x: number): boolean => Number.isFinite(x) && x > 0;
export const isPositiveInteger = (x: number): boolean => Number.isInteger(x) && x > 0;
export const isNonNegativeInteger = (x: number): boolean => Number.isInteger(x) && x >= 0;
export const isUnit = (x: number): boolean => x >= 0 && x <= 1;

/** One number for every group, or an array with one per group (PyTorch's "float or list"). */
export function perGroupOption(
  where: string,
  key: string,
  value: unknown,
  groups: number,
  what: string,
  ok: (x: number) => boolean,
  fallback?: number,
): number[] {
  if (Array.isArray(value)) {
    if (value.length !== groups) {
      throw new RangeError(`${where}: expected ${groups} values for ${key} (one per param group), got ${value.length}: ${describe(value)}`);
    }
    return value.map((v, i) => numberOption(where, `${key}[${i}]`, v, what, ok));
  }
  return new Array<number>(groups).fill(numberOption(where, key, value, `${what} or an array of them`, ok, fallback));
}

export function choiceOption<T extends string>(where: string, key: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    throw new (typeof value === "string" ? RangeError : TypeError)(`${where}: ${key} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${describe(value)}`);
  }
  return value as T;
}

export function booleanOption(where: string, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new TypeError(`${where}: ${key} must be a boolean, got ${describe(value)}`);
  return value;
}

export function functionOption<F extends (...args: never[]) => unknown>(where: string, key: string, value: unknown): F | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "function") throw new TypeError(`${where}: ${key} must be a function, got ${describe(value)}`);
  return value as F;
}
