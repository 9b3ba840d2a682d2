// Argument checking shared by the whole library: how a bad value is printed
// in a message, and the checks for options objects, numbers, booleans,
// choices and functions. Every check throws before its caller changes
// anything; a TypeError when the value has the wrong type (a string where a
// number belongs — quoted, so "5" is never mistaken for 5), a RangeError when
// it has the right type and a wrong value (NaN, Infinity, out of range).
//
// Message form: `${where}: ${name} must be ${expected}, got ${describe(value)}`.
// This module imports nothing, so any file (tensor.ts included) can use it.

const MAX_ITEMS = 8;

/**
 * A value as an error message shows it: strings quoted (`"5"`), numbers as
 * JavaScript prints them (`NaN`, `Infinity`, `-0`), bigints with `n`, arrays
 * item by item (the first few), tensors and other objects with their own
 * toString() by it (`Tensor[2, 3]`), plain objects as `{ key: value }`, class
 * instances by class name.
 */
export function describe(v: unknown, depth = 0): string {
  switch (typeof v) {
    case "string":
      return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
    case "number":
      return Object.is(v, -0) ? "-0" : String(v);
    case "bigint":
      return `${v}n`;
    case "symbol":
      return v.toString();
    case "function":
      return v.name ? `a function (${v.name})` : "a function";
    case "undefined":
      return "undefined";
    case "boolean":
      return String(v);
  }
  if (v === null) return "null";
  const obj = v as object;
  if (Array.isArray(obj)) {
    if (depth > 2) return `an array of ${obj.length}`;
    const items = obj.slice(0, MAX_ITEMS).map((x) => describe(x, depth + 1));
    if (obj.length > MAX_ITEMS) items.push(`… ${obj.length - MAX_ITEMS} more`);
    return `[${items.join(", ")}]`;
  }
  if (ArrayBuffer.isView(obj)) {
    const name = obj.constructor?.name ?? "TypedArray";
    return "length" in obj ? `${name}(${(obj as unknown as ArrayLike<unknown>).length})` : name;
  }
  const proto = Object.getPrototypeOf(obj) as object | null;
  if (proto !== null && proto !== Object.prototype) {
    // an object with a toString of its own (Tensor: "Tensor[2, 3]"), else its class
    if (typeof (obj as { toString?: unknown }).toString === "function" && (obj as { toString: unknown }).toString !== Object.prototype.toString) {
      try {
        return String(obj);
      } catch {
        // fall through to the class name
      }
    }
    const ctor = (obj as { constructor?: { name?: string } }).constructor?.name;
    return ctor ? `an instance of ${ctor}` : "an object";
  }
  if (depth > 2) return "{…}";
  const keys = Object.keys(obj);
  const entries = keys.slice(0, MAX_ITEMS).map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${describe((obj as Record<string, unknown>)[k], depth + 1)}`);
  if (keys.length > MAX_ITEMS) entries.push(`… ${keys.length - MAX_ITEMS} more`);
  return entries.length ? `{ ${entries.join(", ")} }` : "{}";
}

/** "where: " or nothing. */
function at(where: string): string {
  return where ? `${where}: ` : "";
}

/** The standard message: `where: name must be expected, got value`. */
export function mustBe(where: string, name: string, expected: string, value: unknown): string {
  return `${at(where)}${name} must be ${expected}, got ${describe(value)}`;
}

/** Whether `v` is a plain options object (not null, an array, a tensor or another class instance). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === Object.prototype || proto === null;
}

/**
 * An options argument: `undefined` means "all defaults" ({}), anything but a
 * plain object is a TypeError (a string, a number, an array, a tensor...).
 * With `allowed`, an unknown key is a TypeError too, with a hint when it is
 * the snake_case spelling of an allowed camelCase key.
 */
export function optionsArg(where: string, options: unknown, allowed?: readonly string[], name = "options"): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options)) throw new TypeError(mustBe(where, name, "an object", options));
  if (allowed) {
    for (const key of Object.keys(options)) {
      if (allowed.includes(key)) continue;
      const camel = key.replace(/_([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
      const hint = camel !== key && allowed.includes(camel) ? ` (options are camelCase: did you mean ${camel}?)` : "";
      throw new TypeError(`${at(where)}unknown option ${key}${hint}; expected one of ${allowed.join(", ")}`);
    }
  }
  return options;
}

/** What a number must be: finite unless `finite: false`; optional integer and bounds. */
export interface NumberRule {
  /** Default true: NaN and ±Infinity are rejected. NaN is rejected always. */
  finite?: boolean;
  integer?: boolean;
  min?: number;
  max?: number;
  /** The bound itself is excluded: (min, …) or (…, max). */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

/** "a finite number >= 0", "an integer in [1, 10]", "a number in [0, 1)", ... */
export function expectedNumber(rule: NumberRule = {}): string {
  const { integer = false, finite = true, min, max, minExclusive = false, maxExclusive = false } = rule;
  const kind = integer ? "an integer" : finite && (min === undefined || max === undefined) ? "a finite number" : "a number";
  if (min !== undefined && max !== undefined) return `${kind} in ${minExclusive ? "(" : "["}${min}, ${max}${maxExclusive ? ")" : "]"}`;
  if (min !== undefined) return `${kind} ${minExclusive ? ">" : ">="} ${min}`;
  if (max !== undefined) return `${kind} ${maxExclusive ? "<" : "<="} ${max}`;
  return kind;
}

/**
 * What a number of the right type but a wrong value is told: "in [0, 1]",
 * "finite", "an integer >= 1", "a finite number >= 0".
 */
function expectedValue(rule: NumberRule): string {
  const { integer = false, finite = true, min, max } = rule;
  if (!integer && min !== undefined && max !== undefined) return expectedNumber(rule).replace(/^a number /, "");
  if (!integer && finite && min === undefined && max === undefined) return "finite";
  return expectedNumber(rule);
}

/** Whether the number `x` satisfies `rule`. */
export function satisfies(x: number, rule: NumberRule = {}): boolean {
  const { integer = false, finite = true, min, max, minExclusive = false, maxExclusive = false } = rule;
  if (Number.isNaN(x)) return false;
  if ((finite || integer) && !Number.isFinite(x)) return false;
  if (integer && !Number.isInteger(x)) return false;
  if (min !== undefined && (minExclusive ? !(x > min) : !(x >= min))) return false;
  if (max !== undefined && (maxExclusive ? !(x < max) : !(x <= max))) return false;
  return true;
}

/**
 * `value` as a number satisfying `rule` (finite by default). A non-number
 * (including a numeric string) is a TypeError, a number out of range a
 * RangeError; the message names `name` and quotes the value.
 */
export function numberArg(where: string, name: string, value: unknown, rule: NumberRule = {}): number {
  if (typeof value !== "number") throw new TypeError(mustBe(where, name, expectedNumber(rule), value));
  if (!satisfies(value, rule)) throw new RangeError(mustBe(where, name, expectedValue(rule), value));
  return value;
}

/** As numberArg, with `fallback` when `value` is undefined. */
export function numberOption(where: string, name: string, value: unknown, fallback: number, rule: NumberRule = {}): number {
  return value === undefined ? fallback : numberArg(where, name, value, rule);
}

/** An integer (a safe one by default) satisfying `rule`. */
export function integerArg(where: string, name: string, value: unknown, rule: Omit<NumberRule, "integer"> = {}): number {
  const r = { ...rule, integer: true };
  const n = numberArg(where, name, value, r);
  if (!Number.isSafeInteger(n)) throw new RangeError(mustBe(where, name, `${expectedNumber(r)} below 2^53`, value));
  return n;
}

export function booleanArg(where: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new TypeError(mustBe(where, name, "a boolean (true or false)", value));
  return value;
}

export function booleanOption(where: string, name: string, value: unknown, fallback: boolean): boolean {
  return value === undefined ? fallback : booleanArg(where, name, value);
}

/** One of `choices` (strings); a string outside them is a RangeError, anything else a TypeError. */
export function choiceArg<T extends string>(where: string, name: string, value: unknown, choices: readonly T[]): T {
  const expected = `one of ${choices.map((c) => JSON.stringify(c)).join(", ")}`;
  if (typeof value !== "string") throw new TypeError(mustBe(where, name, expected, value));
  if (!(choices as readonly string[]).includes(value)) throw new RangeError(mustBe(where, name, expected, value));
  return value as T;
}

export function functionArg<F extends (...args: never[]) => unknown>(where: string, name: string, value: unknown): F {
  if (typeof value !== "function") throw new TypeError(mustBe(where, name, "a function", value));
  return value as F;
}

/** Prefixes an error's message with `prefix: ` (to say where a shared check ran) and returns it. */
export function withContext<E>(e: E, prefix: string): E {
  if (e instanceof Error) e.message = `${prefix}: ${e.message}`;
  return e;
}
