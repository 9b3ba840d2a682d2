// The shared argument checks (src/validate.ts): how a bad value is printed,
// and which error type each kind of bad value gets.
import { describe as suite, expect, it } from "vitest";
import { tensor } from "../src/index.js";
import {
  booleanArg, choiceArg, describe, expectedNumber, functionArg, integerArg, numberArg, optionsArg,
} from "../src/validate.js";

suite("describe: a value as a message shows it", () => {
  it.each([
    ["5", '"5"'],
    ["", '""'],
    [5, "5"],
    [-0, "-0"],
    [Number.NaN, "NaN"],
    [-Infinity, "-Infinity"],
    [12n, "12n"],
    [null, "null"],
    [undefined, "undefined"],
    [true, "true"],
    [["0", 1], '["0", 1]'],
    [{ seed: "1", offset: 5 }, '{ seed: "1", offset: 5 }'],
    [{ "a-b": 1 }, '{ "a-b": 1 }'],
    [{}, "{}"],
    [new Float32Array(3), "Float32Array(3)"],
    [new Map(), "an instance of Map"],
  ])("describe(%o) is %s", (value, shown) => {
    expect(describe(value)).toBe(shown);
  });

  it("names functions, shows tensors by their toString, and shortens long arrays and strings", () => {
    expect(describe(function lr() {})).toBe("a function (lr)");
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(describe(t)).toBe("Tensor[2, 3]");
    t.dispose();
    expect(describe(t)).toBe("Tensor[2, 3] (disposed)");
    expect(describe(Array.from({ length: 20 }, (_, i) => i))).toBe("[0, 1, 2, 3, 4, 5, 6, 7, … 12 more]");
    expect(describe("x".repeat(100))).toBe(JSON.stringify(`${"x".repeat(57)}...`));
  });

  it("survives cycles and deep nesting", () => {
    const a: unknown[] = [];
    a.push(a);
    expect(describe(a)).toBe("[[[an array of 1]]]");
    const o: Record<string, unknown> = {};
    o.self = o;
    expect(describe(o)).toBe("{ self: { self: { self: {…} } } }");
  });
});

suite("the checks: TypeError for a wrong type (quoted), RangeError for a wrong value", () => {
  it.each([
    [() => numberArg("f", "p", "0.5", { min: 0, max: 1 }), TypeError, 'f: p must be a number in [0, 1], got "0.5"'],
    [() => numberArg("f", "p", 1.5, { min: 0, max: 1 }), RangeError, "f: p must be in [0, 1], got 1.5"],
    [() => numberArg("f", "x", Infinity), RangeError, "f: x must be finite, got Infinity"],
    [() => numberArg("f", "x", Number.NaN, { finite: false }), RangeError, "f: x must be a number, got NaN"],
    [() => numberArg("f", "lr", -1, { min: 0 }), RangeError, "f: lr must be a finite number >= 0, got -1"],
    [() => numberArg("f", "lr", 0, { min: 0, minExclusive: true }), RangeError, "f: lr must be a finite number > 0, got 0"],
    [() => integerArg("f", "k", "5", { min: 1 }), TypeError, 'f: k must be an integer >= 1, got "5"'],
    [() => integerArg("f", "k", 2.5, { min: 1 }), RangeError, "f: k must be an integer >= 1, got 2.5"],
    [() => integerArg("f", "k", 2 ** 60, { min: 1 }), RangeError, "f: k must be an integer >= 1 below 2^53, got 1152921504606847000"],
    [() => booleanArg("f", "inplace", "true"), TypeError, 'f: inplace must be a boolean (true or false), got "true"'],
    [() => choiceArg("f", "mode", "fan_avg", ["fan_in", "fan_out"]), RangeError, 'f: mode must be one of "fan_in", "fan_out", got "fan_avg"'],
    [() => choiceArg("f", "mode", 1, ["fan_in", "fan_out"]), TypeError, 'f: mode must be one of "fan_in", "fan_out", got 1'],
    [() => functionArg("f", "avgFn", "mean"), TypeError, 'f: avgFn must be a function, got "mean"'],
    [() => optionsArg("f", "fast"), TypeError, 'f: options must be an object, got "fast"'],
    [() => optionsArg("f", null), TypeError, "f: options must be an object, got null"],
    [() => optionsArg("f", [1]), TypeError, "f: options must be an object, got [1]"],
    [() => optionsArg("f", tensor([1])), TypeError, "f: options must be an object, got Tensor[1]"],
    [() => optionsArg("f", { step_size: 1 }, ["stepSize"]), TypeError, "f: unknown option step_size (options are camelCase: did you mean stepSize?); expected one of stepSize"],
  ])("%#: %s", (call, type, message) => {
    expect(call).toThrow(type as ErrorConstructor);
    expect(call).toThrow(message as string);
  });

  it("accept what they should and return it", () => {
    expect(numberArg("f", "x", 0.5, { min: 0, max: 1 })).toBe(0.5);
    expect(numberArg("f", "x", Infinity, { finite: false })).toBe(Infinity);
    expect(integerArg("f", "k", 3)).toBe(3);
    expect(optionsArg("f", undefined)).toEqual({});
    expect(optionsArg("f", Object.create(null))).toEqual({});
    expect(choiceArg("f", "m", "fan_in", ["fan_in"])).toBe("fan_in");
    expect(expectedNumber({ integer: true, min: 0, max: 9 })).toBe("an integer in [0, 9]");
  });
});
