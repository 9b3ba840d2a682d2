// Lifetimes of the tensors the library computes (the rule of README
// "Lifetimes"; design notes in docs/lifetimes.md).
//
// Tensors you create (tensor(), zeros(), clone(), parameters, gradients,
// optimizer state) are yours. Tensors computed by operations and modules are
// released by the library on a clock, so a loop runs in constant memory
// without the garbage collector and without dispose():
//
// - Each module called from the top level (not from inside another module's
//   forward) and each optimizer has a clock that ticks when it is called.
// - What is computed from the moment a clock's owner is called until another
//   owner is called belongs to that clock: the module's outputs and
//   intermediates, and the operations you run on them afterwards (a loss,
//   an accuracy); what follows optimizer.step() belongs to the optimizer.
// - A tick releases what the clock held two ticks ago: a tensor stays valid
//   through the next call of its owner and is released by the one after it.
//   Arguments of the call that ticks are kept for one more tick.
//
// A released tensor's handle throws when used, saying so; its storage goes
// back to the caching allocator, unless an autograd graph saved it (the
// graph keeps it until backward consumes the graph or the graph's own
// outputs are released).
import { Tensor, shapeToString, type Shape } from "./tensor.js";

export class Clock {
  #previous: Tensor[] = [];
  #current: Tensor[] = [];
  /** How many times the owner has been called. */
  calls = 0;

  /** `owner` names what ticks it, for messages: "Linear(784, 256).forward()", "Adam.step()". */
  constructor(readonly owner: string) {}

  hold(t: Tensor): void {
    this.#current.push(t);
  }

  tick(args: readonly unknown[]): void {
    this.calls++;
    const old = this.#previous;
    this.#previous = this.#current;
    this.#current = [];
    if (old.length === 0) return;
    const reason =
      `was released: the library reused its memory when ${this.owner} ran for the second time after computing it. ` +
      "Read what you need before then (t.item(), t.toArray()) or keep a copy with t.clone()";
    for (const t of old) {
      if (t.disposed) continue;
      if (isArgument(t, args)) this.#previous.push(t);
      else t.release(reason);
    }
  }

  /** Releases everything this clock holds (e.g. a module being disposed). */
  releaseAll(reason: string): void {
    for (const t of [...this.#previous, ...this.#current]) t.release(reason);
    this.#previous = [];
    this.#current = [];
  }

  get held(): number {
    return this.#previous.length + this.#current.length;
  }
}

function isArgument(t: Tensor, args: readonly unknown[]): boolean {
  for (const a of args) {
    if (a === t) return true;
    if (Array.isArray(a) && a.includes(t)) return true;
  }
  return false;
}

/** The clock that computed tensors join (the last owner called from the top level), or null before any. */
let active: Clock | null = null;
/** Depth of nested module calls (only a top-level call ticks). */
let depth = 0;

const clocks = new WeakMap<object, Clock>();

/** `name` is called (with `owner` as `this`) only when the clock is created. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ClockName = (this: any) => string;

export function clockOf(owner: object, name: ClockName): Clock {
  let c = clocks.get(owner);
  if (!c) {
    c = new Clock(name.call(owner));
    clocks.set(owner, c);
  }
  return c;
}

/**
 * Releases what `owner`'s clock holds and forgets the clock (its owner is
 * being disposed: nothing will tick it again).
 */
export function releaseClock(owner: object, reason: string): void {
  const c = clocks.get(owner);
  if (!c) return;
  c.releaseAll(reason);
  clocks.delete(owner);
  if (active === c) active = null;
}

/**
 * Starts a call of `owner` (a module's forward, an optimizer's step): from
 * the top level it ticks the owner's clock and makes it the active one.
 * Every enterCall is paired with exitCall() (in a finally).
 */
export function enterCall(owner: object, name: ClockName, args: readonly unknown[]): void {
  if (depth++ > 0) return;
  const clock = clockOf(owner, name);
  clock.tick(args);
  active = clock;
}

export function exitCall(): void {
  depth--;
}

/** Runs `fn` as a call of `owner` (see enterCall). */
export function runOwned<T>(owner: object, name: ClockName, args: readonly unknown[], fn: () => T): T {
  enterCall(owner, name, args);
  try {
    return fn();
  } finally {
    exitCall();
  }
}

/** A computed tensor of `shape` (uninitialised), held by the active clock. */
export function result(shape: Shape): Tensor {
  if (!active) return new Tensor(shape);
  const t = new Tensor(shape, HELD);
  active.hold(t);
  return t;
}

const HELD = { held: true };

/** Puts a computed tensor (e.g. a view) under the active clock. */
export function adopt<T extends Tensor>(t: T): T {
  if (active) active.hold(t);
  return t;
}

/** For messages: "Tensor[2, 3]". */
export function describe(t: Tensor): string {
  return `Tensor${shapeToString(t.shape)}`;
}
