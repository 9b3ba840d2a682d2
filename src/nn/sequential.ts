// Sequential: children named "0", "1", ... applied in order.
import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";
import { describe } from "../validate.js";
import { describe as describeValue } from "../validate.js";

export class Sequential extends Module {
  static override readonly moduleName: string = "Sequential";
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`Sequential: argument ${i} must be a Module, got ${describe(m)}`);
      this.registerModule(String(i), m);
    });
  }

  get length(): number {
    return this._modules.size;
  }

  /** The i-th module (negative i counts from the end). */
  at(i: number): Module | undefined {
    return [...this._modules.values()].at(i);
  }

  /** Adds a module at the end; returns this Sequential. */
  append(m: Module): this {
    if (!(m instanceof Module)) throw new TypeError(`Sequential.append: the argument is not a Module: ${describeValue(m)}`);
    this.registerModule(String(this._modules.size), m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this._modules.values();
  }

  override describe(): string {
    return `Sequential(${this.children().map((m) => m.describe()).join(", ")})`;
  }

  /**
   * Runs the children in order. An intermediate output that no graph holds
   * (noGrad, eval) is handed back to the module that made it as soon as the
   * next module has produced something else from it, so inference loops reuse
   * every buffer but the one returned.
   */
  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    return Module.rollbackOnError(() => {
      let y = x;
      let maker: Module | null = null;
      for (const m of this._modules.values()) {
        const next = m.forward(y);
        if (next !== y) {
          if (maker && y !== x && y.gradFn === null && next.gradFn === null) maker.releaseOutput(y);
          maker = m;
        }
        y = next;
      }
      return y;
    });
  }
}
