// Option checking shared by the schedulers: every option is validated before
// a scheduler touches its optimizer, and a message names the scheduler, the
// option and the value it got.

/** Throws unless `options` is a plain object whose keys are all in `allowed`; returns it. */
export function readOptions(where: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const camel = key.replace(/_([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
      const hint = camel !== key && allowed.includes(camel) ? ` (options are camelCase: did you mean ${camel}?)` : "";
      throw new TypeError(`${where}: unknown option ${key}${hint}; expected one of ${allowed.join(", ")}`);
    }
  }
  return options as Record<string, unknown>;
}

export function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "function") return "a function";
  if (Array.isArray(v)) return `[${v.map(describe).join(", ")}]`;
  if (v !== null && typeof v === "object") {
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  }
  return String(v);
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
    throw new RangeError(`${where}: ${key} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}, got ${describe(value)}`);
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
