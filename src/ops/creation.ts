// Creation functions (PyTorch's arange, linspace, *_like, randint, randperm).
// Their results are yours (like tensor() and zeros()): the library never
// releases them; dispose() frees them now.
import { Tensor, shapeToString, checkShape, type Shape } from "../tensor.js";
import { fillNormal, fillUniform, generatorOf, randperm as randpermInts, type GeneratorOptions } from "../random.js";
import { checkTensor, checkNumber, describeValue } from "./common.js";

/** start, start + step, … up to but excluding end (arange(end) starts at 0). */
export function arange(start: number, end?: number, step = 1): Tensor {
  const what = "arange";
  if (end === undefined) {
    end = start;
    start = 0;
  }
  checkNumber(what, start, "start");
  checkNumber(what, end, "end");
  checkNumber(what, step, "step");
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new RangeError(`${what}: unsupported range: ${start} -> ${end}`);
  if (step === 0) throw new RangeError(`${what}: step must be nonzero`);
  if ((step > 0 && end < start) || (step < 0 && end > start)) {
    throw new RangeError(`${what}: upper bound and larger bound inconsistent with step sign (start ${start}, end ${end}, step ${step})`);
  }
  const n = Math.ceil((end - start) / step);
  const t = new Tensor([n]);
  const d = t.data;
  for (let i = 0; i < n; i++) d[i] = start + i * step;
  return t;
}

/** `steps` evenly spaced values from start to end inclusive (PyTorch's two-sided formula). */
export function linspace(start: number, end: number, steps: number): Tensor {
  const what = "linspace";
  checkNumber(what, start, "start");
  checkNumber(what, end, "end");
  if (typeof steps !== "number" || !Number.isInteger(steps)) throw new TypeError(`${what}: steps must be an integer, got ${describeValue(steps)}`);
  if (steps < 0) throw new RangeError(`${what}: number of steps must be non-negative, got ${steps}`);
  const t = new Tensor([steps]);
  const d = t.data;
  if (steps === 1) d[0] = start;
  else if (steps > 1) {
    const step = (end - start) / (steps - 1);
    const half = Math.floor(steps / 2);
    for (let i = 0; i < steps; i++) d[i] = i < half ? start + step * i : end - step * (steps - i - 1);
  }
  return t;
}

function like(what: string, t: Tensor): Shape {
  checkTensor(what, t);
  return t.shape;
}

export function zerosLike(t: Tensor): Tensor {
  const out = new Tensor(like("zerosLike", t));
  out.data.fill(0);
  return out;
}

export function onesLike(t: Tensor): Tensor {
  const out = new Tensor(like("onesLike", t));
  out.data.fill(1);
  return out;
}

export function fullLike(t: Tensor, value: number): Tensor {
  checkNumber("fullLike", value, "value");
  const out = new Tensor(like("fullLike", t));
  out.data.fill(value);
  return out;
}

export function emptyLike(t: Tensor): Tensor {
  return new Tensor(like("emptyLike", t));
}

export function randLike(t: Tensor, options?: GeneratorOptions): Tensor {
  const shape = like("randLike", t);
  generatorOf(options, "randLike");
  return fillUniform(new Tensor(shape), 0, 1, options, "randLike");
}

export function randnLike(t: Tensor, options?: GeneratorOptions): Tensor {
  const shape = like("randnLike", t);
  generatorOf(options, "randnLike");
  return fillNormal(new Tensor(shape), 0, 1, options, "randnLike");
}

/** Integers uniform in [low, high) as float32 (PyTorch's randint(low, high, size)). */
export function randint(low: number, high: number, shape: Shape, options?: GeneratorOptions): Tensor {
  const what = "randint";
  for (const [name, v] of [["low", low], ["high", high]] as const) {
    if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${what}: ${name} must be an integer, got ${describeValue(v)}`);
  }
  if (!(high > low)) throw new RangeError(`${what}: random_ expects 'from' to be less than 'to', but got from=${low} >= to=${high}`);
  if (high - low > 2 ** 24) throw new RangeError(`${what}: the range [${low}, ${high}) is wider than float32 represents exactly (2^24)`);
  checkShape(shape);
  generatorOf(options, what);
  const t = fillUniform(new Tensor(shape), 0, 1, options, what);
  const d = t.data;
  const span = high - low;
  for (let i = 0; i < d.length; i++) d[i] = low + Math.min(span - 1, Math.floor(d[i] * span));
  return t;
}

/** A random permutation of 0..n−1 as a float32 tensor (the top-level randperm gives an Int32Array). */
export function randperm(n: number, options?: GeneratorOptions): Tensor {
  const perm = randpermInts(n, options);
  const t = new Tensor([n]);
  t.data.set(perm);
  return t;
}

export { shapeToString };
