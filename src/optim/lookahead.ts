// Lookahead (Zhang, Lucas, Hinton & Ba, "Lookahead Optimizer: k steps
// forward, 1 step back", NeurIPS 2019, Algorithm 1) around any optimizer.
import { Tensor, jsonData, jsonValues, sameShape, shapeToString } from "../tensor.js";
import { backend } from "../backend/index.js";
import { describe, optionsArg } from "../validate.js";
import { undoAllocationsOnError } from "../runtime/memory.js";
import {
  Optimizer, WRAPS_ANOTHER_OPTIMIZER, checkOptionNumber, f32, type ParamGroup, type ParamGroupInit, type ParamState, type StateDict, type TensorJson,
} from "./optimizer.js";
import type { TableRow } from "../backend/index.js";

export interface LookaheadOptions {
  /** Inner steps between synchronisations. */
  k?: number;
  /** Slow weights step size. */
  alpha?: number;
}

interface Loader {
  planLoad(sd: StateDict): () => void;
}

/**
 * Lookahead: slow weights φ start at the parameters θ; the inner optimizer
 * updates θ ("fast weights"), and after every k-th step
 *
 *     φ ← φ + α·(θ − φ);   θ ← φ
 *
 * Its paramGroups and state are the inner optimizer's (so lr schedulers drive
 * it directly); its state dict is the inner one plus `lookahead`: k, α, the
 * step counter and the slow weights (keyed by parameter index).
 */
export class Lookahead extends Optimizer {
  static override readonly optimizerName: string = "Lookahead";
  readonly inner: Optimizer;
  k: number;
  alpha: number;
  #slow = new Map<Tensor, Tensor>();
  #counter = 0;
  #syncGroup = { params: [], lr: 0, gradCentralization: false } as ParamGroup;

  constructor(inner: Optimizer, options?: LookaheadOptions) {
    super(WRAPS_ANOTHER_OPTIMIZER, {});
    const { k = 5, alpha = 0.5 } = optionsArg(this.name, options, ["k", "alpha"]) as LookaheadOptions;
    if (!(inner instanceof Optimizer)) throw new TypeError(`${this.name}: inner must be an optimizer, got ${describe(inner)}`);
    if (inner.disposed) throw new Error(`${this.name}: the inner optimizer ${inner.name} has been disposed and cannot be used`);
    Lookahead.checkK(k);
    Lookahead.checkAlpha(alpha);
    this.inner = inner;
    this.k = k;
    this.alpha = alpha;
    this.addSlowWeights(inner.paramGroups.flatMap((g) => g.params), `${this.name}: inner.paramGroups`);
  }

  /**
   * Slow copies of the parameters that lack one. Every parameter is checked
   * first; if memory runs out midway, the copies made so far are freed, so an
   * error leaves memory as it was.
   */
  private addSlowWeights(params: readonly unknown[], where: string): void {
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${where}: params[${i}] must be a Tensor, got ${describe(p)}`);
      p.assertAlive(`${where}: params[${i}]`);
    });
    const added: Tensor[] = [];
    try {
      undoAllocationsOnError((made) => {
        for (const p of params as Tensor[]) {
          if (this.#slow.has(p)) continue;
          const s = p.clone();
          made.push(s);
          this.#slow.set(p, s);
          added.push(p);
        }
      });
    } catch (e) {
      for (const p of added) this.#slow.delete(p);
      throw e;
    }
  }

  /** The slow copy of `p`, created from `p` the first time it is needed (parameters added to the inner optimizer later). */
  private slowOf(p: Tensor): Tensor {
    let s = this.#slow.get(p);
    if (!s) {
      s = p.clone();
      this.#slow.set(p, s);
    }
    return s;
  }

  private static checkK(k: unknown): void {
    checkOptionNumber("Invalid lookahead steps k", k, { integer: true, min: 1 });
  }

  private static checkAlpha(alpha: unknown): void {
    checkOptionNumber("Invalid slow update rate alpha", alpha, { min: 0, max: 1 });
  }

  override get name(): string {
    return "Lookahead";
  }

  override get paramGroups(): ParamGroup[] {
    return this.inner.paramGroups;
  }

  override get state(): Map<Tensor, ParamState> {
    return this.inner.state;
  }

  /** Steps taken (the synchronisation counter). */
  get lookaheadStep(): number {
    return this.#counter;
  }

  protected override checkOptions(): void {}

  protected override initState(): ParamState {
    return {};
  }

  protected override updateGroup(): void {}

  override step<T = unknown>(closure?: () => T): T | undefined {
    this.assertUsable("step");
    const loss = Optimizer.callClosure(this.name, closure);
    this.checkStep();
    this.addSlowWeights(this.paramGroups.flatMap((g) => g.params), `${this.name}.step: paramGroups`);
    this.inner.step();
    this.#counter++;
    if (this.#counter % this.k !== 0) return loss;
    const rows: TableRow[] = [];
    for (const g of this.paramGroups) for (const p of g.params) rows.push({ p, g: p, s0: this.slowOf(p) });
    const a = f32(this.alpha);
    backend().lookaheadSync(this.tableFor(this.#syncGroup, rows), a);
    return loss;
  }

  /** The inner optimizer's checks, and k and alpha (public and mutable, like paramGroups). */
  override checkStep(): void {
    this.assertUsable("step");
    try {
      Lookahead.checkK(this.k);
      Lookahead.checkAlpha(this.alpha);
    } catch (e) {
      (e as Error).message = `${this.name}.step: ${(e as Error).message}`;
      throw e;
    }
    this.inner.checkStep();
  }

  override addParamGroup(group: ParamGroupInit): void {
    this.assertUsable("addParamGroup");
    this.inner.addParamGroup(group);
    const groups = this.inner.paramGroups;
    try {
      this.addSlowWeights(groups[groups.length - 1].params, `${this.name}.addParamGroup`);
    } catch (e) {
      groups.pop();
      throw e;
    }
  }

  override stateDict(): StateDict {
    this.assertUsable("stateDict");
    const sd = this.inner.stateDict();
    const slow: Record<string, TensorJson> = {};
    let i = 0;
    for (const g of this.paramGroups) {
      for (const p of g.params) {
        const s = this.slowOf(p);
        slow[String(i++)] = { shape: [...s.shape], data: jsonData(s.data) };
      }
    }
    sd.lookahead = { k: this.k, alpha: this.alpha, step: this.#counter, slow };
    return sd;
  }

  protected override planLoad(sd: StateDict): () => void {
    const who = `${this.name}.loadStateDict`;
    const la = sd?.lookahead as { k: number; alpha: number; step: number; slow: Record<string, TensorJson> } | undefined;
    if (!la || typeof la !== "object" || Array.isArray(la)) throw new Error(`${who}: the state dict has no lookahead section (was it saved from a Lookahead?)`);
    Lookahead.checkK(la.k);
    Lookahead.checkAlpha(la.alpha);
    if (typeof la.step !== "number" || !Number.isInteger(la.step) || la.step < 0) throw new RangeError(`${who}: invalid lookahead step ${String(la.step)}`);
    const params = this.paramGroups.flatMap((g) => g.params);
    const slowValues: [Tensor, ArrayLike<number>][] = [];
    params.forEach((p, i) => {
      const s = la.slow?.[String(i)];
      if (!s) throw new Error(`${who}: slow weights for parameter ${i} are missing`);
      if (!Array.isArray(s.shape) || !sameShape(s.shape, p.shape)) {
        throw new RangeError(`${who}: slow weights ${i} have shape ${shapeToString(s.shape ?? [])}, parameter ${i} has shape ${shapeToString(p.shape)}`);
      }
      slowValues.push([p, jsonValues(`${who}: slow weights ${i}`, s.data, p.size)]);
    });
    const applyInner = (this.inner as unknown as Loader).planLoad(sd);
    return () => {
      applyInner();
      for (const [p, data] of slowValues) this.slowOf(p).data.set(data);
      this.k = la.k;
      this.alpha = la.alpha;
      this.#counter = la.step;
    };
  }

  override dispose(): void {
    for (const s of this.#slow.values()) s.dispose();
    this.#slow.clear();
    this.inner.dispose();
    super.dispose();
  }
}
