// Out of memory while creating optimizer state: the step fails with the
// allocator's RangeError and changes nothing, even when an earlier group could
// have been updated. Own file: it grows WebAssembly memory to about 3 GiB.
import { expect, it } from "vitest";
import { empty, optim, parameter, tensor } from "../../src/index.js";

it("AMSGrad Adam's first step, whose state for a second, large group does not fit in 4 GiB, throws before updating the first group", () => {
  const small = parameter([1, 2, 3]);
  small.grad = tensor([1, 1, 1]);
  const n = 250_000_000; // 1 GB each: parameter, gradient and two of AMSGrad's three state buffers fit; the third does not
  const big = empty([n]);
  big.requiresGrad = true;
  big.grad = empty([n]);
  const opt = new optim.Adam([{ params: [small] }, { params: [big] }], { lr: 0.1, amsgrad: true });
  expect(() => opt.step()).toThrow(RangeError);
  expect(Array.from(small.data)).toEqual([1, 2, 3]);
  expect(opt.stateDict().state).toEqual({});
  big.grad!.dispose();
  big.dispose();
});
