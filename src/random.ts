// Random numbers: Generator (seed + offset into a Philox4x32-10 stream), the
// default generator, rand/randn, and the in-place fills the initializers and
// Dropout use. The kernels and the stream layout are in assembly/rng.ts.
//
// A generator's state is (seed, offset): the seed (an unsigned 64-bit integer)
// is the Philox key, the offset counts the stream positions used so far. Every
// fill of n elements takes the next n positions, so values depend only on
// (seed, position): filling 1000 values and then 9000 gives exactly what one
// fill of 10000 from the same offset gives, in every build and engine.
import { Tensor, checkShape, type Shape } from "./tensor.js";
import { backend } from "./backend/index.js";
import { normalQuantileF64, philoxWords } from "./reference/rng.js";
import { describe, integerArg, optionsArg } from "./validate.js";

/** PyTorch's default seed (default_rng_seed_val), used by new Generator() and the default generator. */
export const DEFAULT_SEED = 67280421310721n;
const MAX_SEED = (1n << 64n) - 1n;
const TWO_32 = 4294967296;

/** A generator's state as plain JSON data: the seed as a decimal string (it may exceed 2^53) and the offset. */
export interface GeneratorState {
  seed: string;
  offset: number;
}

function toSeed(seed: unknown, what: string): bigint {
  if (typeof seed === "number") {
    if (!Number.isInteger(seed) || seed < 0) {
      throw new RangeError(`${what}: seed must be a non-negative integer below 2^64, got ${describe(seed)}`);
    }
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`${what}: seed ${seed} is above 2^53 and not exactly representable as a number; pass a bigint`);
    }
    return BigInt(seed);
  }
  if (typeof seed === "bigint") {
    if (seed < 0n || seed > MAX_SEED) throw new RangeError(`${what}: seed must be in [0, 2^64), got ${seed}n`);
    return seed;
  }
  throw new TypeError(`${what}: seed must be a number or bigint, got ${describe(seed)}`);
}

function seedValue(seed: bigint): number | bigint {
  return seed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(seed) : seed;
}

function randomSeed(): bigint {
  const words = new Uint32Array(2);
  const c = (globalThis as { crypto?: { getRandomValues?(a: Uint32Array): Uint32Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(words);
  else for (let i = 0; i < 2; i++) words[i] = Math.floor(Math.random() * TWO_32);
  // 53 bits, so the seed is returned as a plain number (as torch.seed() returns an int)
  return (BigInt(words[1] & 0x1fffff) << 32n) | BigInt(words[0]);
}

/** A Philox4x32-10 random number generator (torch.Generator). */
export class Generator {
  #seed = DEFAULT_SEED;
  #offset = 0;
  #key0 = 0;
  #key1 = 0;

  constructor(seed?: number | bigint) {
    this.manualSeed(seed === undefined ? DEFAULT_SEED : toSeed(seed, "new Generator"));
  }

  /** Sets the seed and rewinds the stream to its start. Returns this generator. */
  manualSeed(seed: number | bigint): this {
    const s = toSeed(seed, "Generator.manualSeed");
    this.#seed = s;
    this.#key0 = Number(s & 0xffffffffn);
    this.#key1 = Number(s >> 32n);
    this.#offset = 0;
    return this;
  }

  /** Seeds from a non-deterministic source (crypto.getRandomValues) and returns the new seed. */
  seed(): number {
    const s = randomSeed();
    this.manualSeed(s);
    return Number(s);
  }

  /** The seed this generator was last seeded with (a bigint when above 2^53). */
  initialSeed(): number | bigint {
    return seedValue(this.#seed);
  }

  /** Stream positions used so far. */
  get offset(): number {
    return this.#offset;
  }

  getState(): GeneratorState {
    return { seed: this.#seed.toString(), offset: this.#offset };
  }

  /** Restores a state from getState() (also after a JSON round trip). Returns this generator. */
  setState(state: GeneratorState): this {
    const where = "Generator.setState";
    if (state === null || typeof state !== "object" || Array.isArray(state)) {
      throw new TypeError(`${where}: state must be an object { seed, offset } (as getState() returns), got ${describe(state)}`);
    }
    const { seed, offset } = state as { seed: unknown; offset: unknown };
    let s: bigint;
    if (typeof seed === "string" && /^[0-9]+$/.test(seed)) s = toSeed(BigInt(seed), where);
    else s = toSeed(seed, where);
    const off = integerArg(where, "offset", offset, { min: 0 });
    this.manualSeed(s);
    this.#offset = off;
    return this;
  }

  /** Throws (changing nothing) unless `n` more stream positions fit below 2^53. */
  checkReserve(n: number, what = "Generator"): void {
    if (this.#offset + n > Number.MAX_SAFE_INTEGER) {
      throw new RangeError(`${what}: the generator's stream offset would pass 2^53 (${this.#offset} + ${n}); reseed the generator`);
    }
  }

  /** Reserves `n` stream positions and returns the first. */
  reserve(n: number, what = "Generator"): number {
    const start = this.#offset;
    this.checkReserve(n, what);
    reservations?.push([this, start]);
    this.#offset = start + n;
    return start;
  }

  /** The Philox key: the seed's low and high 32 bits. */
  get key(): [number, number] {
    return [this.#key0, this.#key1];
  }
}

let reservations: [Generator, number][] | null = null;

/**
 * Runs `fn`; if it throws, every generator it drew from is rewound to where
 * it was, so a failed operation (a forward that fails in its third layer,
 * after a dropout drew its mask) leaves the random streams as they were.
 */
export function rewindGeneratorsOnError<T>(fn: () => T): T {
  const outer = reservations;
  const mine: [Generator, number][] = [];
  reservations = mine;
  try {
    const result = fn();
    outer?.push(...mine);
    return result;
  } catch (e) {
    for (let i = mine.length - 1; i >= 0; i--) {
      const [g, offset] = mine[i];
      g.setState({ seed: g.getState().seed, offset });
    }
    throw e;
  } finally {
    reservations = outer;
  }
}

/** The default generator (torch.default_generator). */
export const defaultGenerator = new Generator();

/** Seeds the default generator and rewinds it; returns it (torch.manual_seed). */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** Seeds the default generator non-deterministically and returns the seed (torch.seed). */
export function seed(): number {
  return defaultGenerator.seed();
}

/** The default generator's seed (torch.initial_seed). */
export function initialSeed(): number | bigint {
  return defaultGenerator.initialSeed();
}

export interface GeneratorOptions {
  generator?: Generator;
}

/** The generator of an options object, checked. */
export function generatorOf(options: GeneratorOptions | undefined, what: string): Generator {
  const g = optionsArg(what, options).generator;
  if (g === undefined) return defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError(`${what}: generator must be a Generator, got ${describe(g)}`);
  return g;
}

function checkTensor(t: unknown, what: string): asserts t is Tensor {
  if (!(t instanceof Tensor)) throw new TypeError(`${what}: expected a Tensor, got ${describe(t)}`);
  t.assertAlive(what);
}

function checkFinite(x: unknown, name: string, what: string): asserts x is number {
  if (typeof x !== "number") throw new TypeError(`${what}: ${name} must be a finite number, got ${describe(x)}`);
  if (!Number.isFinite(x)) throw new RangeError(`${what}: ${name} must be a finite number, got ${describe(x)}`);
}

/** Reserves t.size positions of the stream of `options`' generator: where they start, and the generator's key. */
function reserveStream(t: Tensor, options: GeneratorOptions | undefined, what: string): { n: number; pos: number; k0: number; k1: number } {
  const gen = generatorOf(options, what);
  const n = t.size;
  const pos = gen.reserve(n, what);
  const [k0, k1] = gen.key;
  return { n, pos, k0, k1 };
}

/** The checks of a normal distribution's parameters (normal_, trunc_normal_). */
function checkNormal(t: Tensor, mean: unknown, std: unknown, what: string): void {
  checkTensor(t, what);
  checkFinite(mean, "mean", what);
  checkFinite(std, "std", what);
  if (std < 0) throw new RangeError(`${what}: std must be non-negative, got ${std}`);
}

/** Fills t with U[a, b): u·(b - a) + a in float32, u on the 2^-24 grid (uniform_). Returns t. */
export function fillUniform(t: Tensor, a = 0, b = 1, options?: GeneratorOptions, what = "uniform"): Tensor {
  checkTensor(t, what);
  checkFinite(a, "a", what);
  checkFinite(b, "b", what);
  if (a > b) throw new RangeError(`${what}: expects a <= b, got a=${a}, b=${b}`);
  if (!Number.isFinite(Math.fround(b - a))) {
    throw new RangeError(`${what}: b - a must fit in float32 (a=${a}, b=${b})`);
  }
  const { n, pos, k0, k1 } = reserveStream(t, options, what);
  backend().philoxUniform(t, n, k0, k1, pos, b - a, a);
  return t;
}

/** Fills t with N(mean, std²) (normal_). Returns t. */
export function fillNormal(t: Tensor, mean = 0, std = 1, options?: GeneratorOptions, what = "normal"): Tensor {
  checkNormal(t, mean, std, what);
  const { n, pos, k0, k1 } = reserveStream(t, options, what);
  backend().philoxNormal(t, n, k0, k1, pos, mean, std);
  return t;
}

/**
 * The standard normal CDF Φ(x) in float64 (relative error ~1e-15 in the
 * lower tail): a series for |x| < 3, the Laplace continued fraction of the
 * Mills ratio beyond.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  const pdf = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  if (Math.abs(x) < 3) {
    // Φ(x) = ½ + φ(x)·Σ x^(2k+1)/(2k+1)!!
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let k = 1; k < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); k++) {
      term *= x2 / (2 * k + 1);
      sum += term;
    }
    return 0.5 + pdf * sum;
  }
  // Φ(-t) = φ(t) / (t + 1/(t + 2/(t + 3/(t + ...)))), t = |x|, evaluated bottom-up
  const t = Math.abs(x);
  let cf = t;
  for (let k = 120; k >= 1; k--) cf = t + k / cf;
  const tail = pdf / cf;
  return x < 0 ? tail : 1 - tail;
}

/**
 * Fills t with N(mean, std²) truncated to [a, b] (trunc_normal_), by inversion:
 * z = Φ⁻¹(p) with p uniform on [Φ(α), Φ(β)], α, β the standardized bounds.
 * When the interval lies more above the mean than below, it is reflected so
 * the narrower tail is the lower one, where float32 resolves small p. Exact in
 * the tails (no clipping or rejection). Returns t.
 */
export function fillTruncNormal(
  t: Tensor, mean = 0, std = 1, a = -2, b = 2, options?: GeneratorOptions, what = "truncNormal",
): Tensor {
  checkNormal(t, mean, std, what);
  if (typeof a !== "number") throw new TypeError(`${what}: a must be a number, got ${describe(a)}`);
  if (typeof b !== "number") throw new TypeError(`${what}: b must be a number, got ${describe(b)}`);
  if (Number.isNaN(a)) throw new RangeError(`${what}: a must be a number, got NaN`);
  if (Number.isNaN(b)) throw new RangeError(`${what}: b must be a number, got NaN`);
  if (a > b) throw new RangeError(`${what}: expects a <= b, got a=${a}, b=${b}`);
  const { n, pos, k0, k1 } = reserveStream(t, options, what);
  if (n === 0) return t;
  let alpha = std > 0 ? (a - mean) / std : a > mean ? Infinity : -Infinity;
  let beta = std > 0 ? (b - mean) / std : b < mean ? -Infinity : Infinity;
  if (std === 0 || a === b || alpha >= beta) {
    t.data.fill(Math.min(Math.max(mean, a), b));
    return t;
  }
  let flip = 1;
  if (alpha + beta > 0) {
    [alpha, beta] = [-beta, -alpha];
    flip = -1;
  }
  const pLo = normalCdf(alpha);
  const pWidth = normalCdf(beta) - pLo;
  if (!(pWidth > 1e-27)) {
    // Beyond float32's reach (the interval's mass is below 1e-27, more than
    // ~11σ out): the same inversion from the same stream words, in float64 —
    // down to ~37σ; beyond that, Φ underflows and the mass sits at the bound
    // nearer the mean.
    const d = t.data;
    if (!(pWidth > 0)) {
      d.fill(Math.min(Math.max(mean + std * flip * beta, a), b));
      return t;
    }
    const words = new Uint32Array(n);
    philoxWords(words, k0, k1, pos);
    for (let i = 0; i < n; i++) {
      const p = pLo + pWidth * ((words[i] + 0.5) * 2 ** -32);
      d[i] = Math.min(Math.max(mean + std * flip * normalQuantileF64(p), a), b);
    }
    return t;
  }
  backend().philoxTruncNormal(t, n, k0, k1, pos, pLo, pWidth, flip, mean, std, a, b);
  return t;
}

export interface BernoulliOptions extends GeneratorOptions {
  /** The value written for a success (default 1); Dropout passes 1/(1 - p) to keep `scale` of the mask. */
  scale?: number;
}

/**
 * Fills t with a Bernoulli(p) mask: `scale` (default 1, i.e. an unscaled 0/1
 * mask as torch.bernoulli) with probability p, else 0. p is resolved on the
 * 2^-24 grid (success when u < p, u uniform on k·2^-24). Returns t.
 */
export function bernoulli(t: Tensor, p: number, options?: BernoulliOptions): Tensor {
  const what = "bernoulli";
  checkTensor(t, what);
  if (typeof p !== "number") throw new TypeError(`${what}: p must be a number in [0, 1], got ${describe(p)}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${what}: p must be in [0, 1], got ${describe(p)}`);
  const scale = options?.scale ?? 1;
  checkFinite(scale, "scale", what);
  const { n, pos, k0, k1 } = reserveStream(t, options, what);
  backend().philoxBernoulli(t, n, k0, k1, pos, p, scale);
  return t;
}

/** A tensor of U[0, 1) values (torch.rand). */
export function rand(shape: Shape, options?: GeneratorOptions): Tensor {
  const [, n] = checkShape(shape, "rand: shape");
  generatorOf(options, "rand").checkReserve(n, "rand");
  return fillUniform(new Tensor(shape), 0, 1, options, "rand");
}

/** A tensor of N(0, 1) values (torch.randn). */
export function randn(shape: Shape, options?: GeneratorOptions): Tensor {
  const [, n] = checkShape(shape, "randn: shape");
  generatorOf(options, "randn").checkReserve(n, "randn");
  return fillNormal(new Tensor(shape), 0, 1, options, "randn");
}

/**
 * A uniformly random permutation of 0..n-1 (Fisher–Yates; Lemire's
 * multiply-shift maps each 32-bit word to a bound, bias below n/2^32).
 * Uses n stream positions.
 */
export function randperm(n: number, options?: GeneratorOptions): Int32Array {
  integerArg("randperm", "n", n, { min: 0, max: 2 ** 31 - 1 });
  const gen = generatorOf(options, "randperm");
  const pos = gen.reserve(n, "randperm");
  const [k0, k1] = gen.key;
  const words = new Uint32Array(n);
  philoxWords(words, k0, k1, pos);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((words[i] * (i + 1)) / TWO_32);
    const tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
  }
  return perm;
}
