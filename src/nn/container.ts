// ModuleList and ModuleDict: PyTorch's containers that hold submodules so they
// are registered (parameters, stateDict, train/eval) without running them.
import { Module } from "./module.js";
import { describe as describeValue } from "../validate.js";

function checkModule(what: string, m: unknown, where: string): asserts m is Module {
  if (!(m instanceof Module)) throw new TypeError(`${what}: ${where} is not a Module: ${describeValue(m)}`);
}

/** A list of modules, named "0", "1", … (PyTorch's nn.ModuleList). Iterable; no forward of its own. */
export class ModuleList extends Module implements Iterable<Module> {
  static override readonly moduleName: string = "ModuleList";

  constructor(modules: Iterable<Module> = []) {
    super();
    this.extend(modules);
  }

  get length(): number {
    return this._modules.size;
  }

  /** The i-th module (negative i counts from the end), as `list[i]`. */
  at(i: number): Module | undefined {
    if (!Number.isInteger(i)) throw new TypeError(`ModuleList.at: index must be an integer, got ${describeValue(i)}`);
    return [...this._modules.values()].at(i);
  }

  /** Adds a module at the end; returns this list. */
  append(m: Module): this {
    checkModule("ModuleList.append", m, "the argument");
    this.registerModule(String(this._modules.size), m);
    return this;
  }

  /** Appends every module of an iterable; returns this list. */
  extend(modules: Iterable<Module>): this {
    if (modules === null || typeof (modules as Iterable<Module>)[Symbol.iterator] !== "function") {
      throw new TypeError(`ModuleList.extend: expected an iterable of modules, got ${describeValue(modules)}`);
    }
    const list = [...modules];
    list.forEach((m, i) => checkModule("ModuleList", m, `element ${i}`));
    for (const m of list) this.append(m);
    return this;
  }

  [Symbol.iterator](): Iterator<Module> {
    return this._modules.values();
  }
}

/** Modules by name, in insertion order (PyTorch's nn.ModuleDict). Iterating gives the keys. */
export class ModuleDict extends Module implements Iterable<string> {
  static override readonly moduleName: string = "ModuleDict";

  constructor(modules: Record<string, Module> | Iterable<[string, Module]> = {}) {
    super();
    this.update(modules);
  }

  get size(): number {
    return this._modules.size;
  }

  get(key: string): Module | undefined {
    return this._modules.get(key);
  }

  has(key: string): boolean {
    return this._modules.has(key);
  }

  /** Adds or replaces the module under `key` (PyTorch's `d[key] = m`). */
  set(key: string, m: Module): this {
    checkModule("ModuleDict.set", m, `the value for '${key}'`);
    this.registerModule(key, m);
    return this;
  }

  /** Removes `key` and returns its module (PyTorch's pop). */
  delete(key: string): Module | undefined {
    const m = this._modules.get(key);
    if (m) delete (this as unknown as Record<string, unknown>)[key];
    return m;
  }

  keys(): string[] {
    return [...this._modules.keys()];
  }

  values(): Module[] {
    return [...this._modules.values()];
  }

  entries(): [string, Module][] {
    return [...this._modules.entries()];
  }

  /** Adds every entry of a record or of [key, module] pairs. */
  update(modules: Record<string, Module> | Iterable<[string, Module]>): this {
    if (modules === null || typeof modules !== "object") {
      throw new TypeError(`ModuleDict: expected a record or [key, module] pairs, got ${describeValue(modules)}`);
    }
    const entries: [string, Module][] =
      typeof (modules as Iterable<[string, Module]>)[Symbol.iterator] === "function"
        ? [...(modules as Iterable<[string, Module]>)]
        : Object.entries(modules as Record<string, Module>);
    entries.forEach((e, i) => {
      if (!Array.isArray(e) || e.length !== 2) throw new TypeError(`ModuleDict: entry ${i} is not a [key, module] pair`);
      checkModule("ModuleDict", e[1], `the value for '${String(e[0])}'`);
    });
    for (const [k, m] of entries) this.set(k, m);
    return this;
  }

  [Symbol.iterator](): Iterator<string> {
    return this._modules.keys();
  }
}
