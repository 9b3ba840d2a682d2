// nn.MaxPool2d / nn.AvgPool2d / nn.AdaptiveAvgPool2d and their functional
// forms against PyTorch 1.13 (test/fixtures/generators/conv.py): outputs,
// max-pooling indices and input gradients over kernel sizes, strides,
// paddings, dilations, ceil mode, count_include_pad and unbatched inputs;
// PyTorch's messages for bad input.
import { describe, expect, it } from "vitest";
import { memoryStats, nn, zeros } from "../../src/index.js";
import { adaptiveAvgPool2d, avgPool2d, maxPool2d } from "../../src/nn/conv_functional.js";
import fixtures from "../fixtures/conv.json" with { type: "json" };
import { dot, load, type Packed } from "../helpers/conv.js";
import { expectClose } from "../helpers/close.js";

interface PoolCase {
  kind: "max" | "avg" | "adaptive";
  name: string;
  kernelSize: number | (number | null)[];
  options: Record<string, unknown>;
  x: Packed; y: Packed; indices: number[] | null; dy: number[]; dx: number[];
}

describe("pooling matches PyTorch 1.13 (rtol 1e-6, atol 1e-6; max pooling exactly)", () => {
  for (const c of fixtures.pool as PoolCase[]) {
    it(`${c.kind} ${c.name}: module and functional, forward and input gradient`, () => {
      const exact = c.kind === "max";
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const k = c.kernelSize as any;
      const m = c.kind === "max" ? new nn.MaxPool2d(k, c.options) : c.kind === "avg" ? new nn.AvgPool2d(k, c.options) : new nn.AdaptiveAvgPool2d(k);
      const fn = c.kind === "max" ? (x: ReturnType<typeof load>) => maxPool2d(x, k, c.options)
        : c.kind === "avg" ? (x: ReturnType<typeof load>) => avgPool2d(x, k, c.options) : (x: ReturnType<typeof load>) => adaptiveAvgPool2d(x, k);
      for (const forward of [(x: ReturnType<typeof load>) => m.forward(x), fn]) {
        const x = load(c.x);
        x.requiresGrad = true;
        const y = forward(x);
        expect(y.shape).toEqual(c.y.shape);
        expectClose(y.data, c.y.data, { rtol: exact ? 0 : 1e-6, atol: exact ? 0 : 1e-6, what: `${c.name} y` });
        dot(y, c.dy).backward();
        expectClose(x.grad!.data, c.dx, { rtol: exact ? 0 : 1e-6, atol: exact ? 1e-6 : 1e-6, what: `${c.name} dx` });
      }
    });
  }
  it("max pooling propagates NaN and picks the first of equal maxima, as PyTorch", () => {
    const x = load({ shape: [1, 1, 2, 4], data: [1, NaN, 3, 3, 0, 2, 3, 1] });
    x.requiresGrad = true;
    const y = maxPool2d(x, 2);
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(y.data[1]).toBe(3);
    dot(y, [1, 1]).backward();
    expect([...x.grad!.data]).toEqual([0, 1, 1, 0, 0, 0, 0, 0]);
  });
});

const errors = Object.fromEntries(fixtures.errors.map((e) => [e.name, e.message]));

describe("bad input: PyTorch's messages, nothing allocated", () => {
  const cases: [string, () => () => unknown][] = [
    ["max pool padding over half the kernel", () => { const x = zeros([1, 1, 6, 6]); return () => maxPool2d(x, 2, { padding: 2 }); }],
    ["max pool output too small", () => { const x = zeros([1, 1, 1, 1]); return () => maxPool2d(x, 3); }],
    ["max pool 2-D input", () => { const x = zeros([6, 6]); return () => maxPool2d(x, 2); }],
    ["avg pool padding over half the kernel", () => { const x = zeros([1, 1, 6, 6]); return () => avgPool2d(x, 3, { padding: 2 }); }],
  ];
  for (const [name, prepare] of cases) {
    it(`${name}: "${errors[name]}"`, () => {
      const call = prepare();
      const before = memoryStats().allocatedBytes;
      expect(call).toThrow(errors[name]);
      expect(memoryStats().allocatedBytes).toBe(before);
    });
  }
  it("stride and dilation <= 0 and bad sizes are errors naming the value", () => {
    const x = zeros([1, 1, 6, 6]);
    expect(() => maxPool2d(x, 2, { stride: 0 })).toThrow("stride should not be zero");
    expect(() => maxPool2d(x, 2, { stride: -1 })).toThrow("stride should be greater than zero, but got dH: -1 dW: -1");
    expect(() => maxPool2d(x, 2, { dilation: 0 })).toThrow("dilation should be greater than zero, but got dilationH: 0 dilationW: 0");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(() => maxPool2d(x, [2, 2, 2] as any)).toThrow(TypeError);
    expect(() => adaptiveAvgPool2d(zeros([4, 4]), 2)).toThrow(RangeError);
  });
});

describe("modules: repr as PyTorch", () => {
  it("MaxPool2d, AvgPool2d, AdaptiveAvgPool2d", () => {
    expect(new nn.MaxPool2d(2).toString()).toBe("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
    expect(new nn.AvgPool2d(3, { stride: 2, padding: 1 }).toString()).toBe("AvgPool2d(kernel_size=3, stride=2, padding=1)");
    expect(new nn.AdaptiveAvgPool2d([3, null]).toString()).toBe("AdaptiveAvgPool2d(output_size=(3, None))");
  });
});
