// UpdateRule: the part every torch.optim rule here shares, written once. A rule
// declares its options (PyTorch's defaults, in its signature order, and the
// checks in the order PyTorch runs them), its state (scalars and buffers, and
// which buffer goes to which slot of the kernel table) and its kernel call;
// the constructor, option validation, state creation and the step driver
// (maximize, L2 decay, gradient centralization, the table rows, the step
// count) come from here.
import type { Tensor } from "../tensor.js";
import { describe } from "../validate.js";
import type { TensorTable, TableRow } from "../backend/index.js";
import {
  withDefaults, Optimizer, checkBetas, checkBool, checkEps, checkFinite, checkInRange, checkLr, checkNonNegative, f32, zerosLike,
  type CommonOptions, type ParamGroup, type ParamState, type ParamsArg,
} from "./optimizer.js";

/** β1, 1 − β1, β2, 1 − β2 of a group's betas, rounded to float32: the Adam family's kernel constants. */
export function betaConstants(group: ParamGroup): [number, number, number, number] {
  const [beta1, beta2] = group.betas as number[];
  return [f32(beta1), f32(1 - beta1), f32(beta2), f32(1 - beta2)];
}

/** How an option is checked: PyTorch's message is "Invalid <snake_case name> value: …" unless the kind has its own. */
export type OptionCheck = "lr" | "eps" | "betas" | "bool" | "nonNegative" | "finite" | "unit" | "switch";

const CHECKS: Record<OptionCheck, (value: unknown, name: string) => void> = {
  lr: (v) => checkLr(v),
  eps: (v) => checkEps(v),
  betas: (v) => checkBetas(v),
  bool: (v, name) => checkBool(v, name),
  nonNegative: (v, name) => checkNonNegative(v, name),
  finite: (v, name) => checkFinite(v, name),
  unit: (v, name) => checkInRange(v, name, 0, 1),
  // an implementation switch kept as an option (NAdam's foreach): a boolean or null
  switch: (v, name) => {
    if (v !== null && v !== undefined && typeof v !== "boolean") throw new TypeError(`Invalid ${name} value: ${describe(v)} (expected a boolean or null)`);
  },
};

const camelToSnake = (key: string) => key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());

/** A state buffer (a tensor shaped like the parameter). */
export interface BufferSpec {
  readonly name: string;
  /** The table slot it is passed in (s0, s1, s2). */
  readonly slot: 0 | 1 | 2;
  /** Kept only while this holds for the group (created at the first step it does). */
  readonly when?: (group: ParamGroup) => boolean;
  /** Created at the first step it is needed, not with the state (SGD's momentum_buffer). */
  readonly lazy?: boolean;
  /** Its initial value (default 0). */
  readonly fill?: (group: ParamGroup) => number;
}

/** What a rule declares (the table in rules.ts). */
export interface RuleSpec {
  /** PyTorch's defaults, in its constructor's order (the order of state-dict groups and of "valid: …"). */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** Each option's check, in the order PyTorch checks them. */
  readonly checks: Readonly<Record<string, OptionCheck>>;
  /** Scalar state and its initial values (`step`, if present, is counted by the driver). */
  readonly scalars: Readonly<Record<string, number>>;
  readonly buffers: readonly BufferSpec[];
  /** The row scalars are a function of (group, step) only, so tensors at the same step share them. */
  readonly scalarsByStep?: boolean;
}

/**
 * A torch.optim rule whose update is one kernel call per parameter group.
 * Subclasses give `rule` (static), `rowScalars` (the per-tensor t0..t3) and
 * `runKernel` (the group's constants); everything else is here.
 */
export abstract class UpdateRule<Options extends object = CommonOptions> extends Optimizer {
  static readonly rule: RuleSpec;

  constructor(params: ParamsArg, options: Options = {} as Options) {
    // The name the class states (AdamW's when constructing an AdamW): new.target.name is mangled by minifiers.
    const ctor = new.target as unknown as typeof UpdateRule;
    const defaults = Object.fromEntries(Object.entries(ctor.rule.defaults).map(([k, v]) => [k, Array.isArray(v) ? [...v] : v]));
    super(params, withDefaults(ctor.optimizerName, defaults, options));
  }

  protected get rule(): RuleSpec {
    return (this.constructor as typeof UpdateRule).rule;
  }

  protected override checkOptions(o: Record<string, unknown>): void {
    for (const [key, kind] of Object.entries(this.rule.checks)) CHECKS[kind](o[key], camelToSnake(key));
  }

  protected override stateScalarKeys(): string[] {
    return Object.keys(this.rule.scalars);
  }

  protected override lazyStateKeys(): string[] {
    return this.rule.buffers.filter((b) => b.lazy).map((b) => b.name);
  }

  protected override initState(p: Tensor, group: ParamGroup): ParamState {
    const s: ParamState = { ...this.rule.scalars };
    for (const b of this.rule.buffers) {
      if (b.lazy || (b.when && !b.when(group))) continue;
      const t = zerosLike(p);
      if (b.fill) t.data.fill(b.fill(group));
      s[b.name] = t;
    }
    return s;
  }

  /** The weight decay added to the gradient (L2); 0 for rules whose decay is decoupled. */
  protected l2Decay(group: ParamGroup): number {
    return group.weightDecay;
  }

  /**
   * The row's per-tensor scalars t0..t3 at step `t` (state `s` already
   * counted; `created`: a buffer was created for this step). None by default.
   */
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  protected rowScalars(row: TableRow, s: ParamState, t: number, group: ParamGroup, created: boolean): void {}

  /** Runs the rule's kernel over the table; `sign` and `l2` already account for gradient centralization. */
  protected abstract runKernel(table: TensorTable, group: ParamGroup, sign: number, l2: number): void;

  protected override updateGroup(group: ParamGroup, params: Tensor[], grads: Tensor[]): void {
    const { buffers, scalarsByStep = false } = this.rule;
    const counted = "step" in this.rule.scalars;
    const gSign = "maximize" in this.rule.defaults && group.maximize ? -1 : 1;
    const l2 = this.l2Decay(group);
    const gc = group.gradCentralization;
    const effective = this.effectiveGrads(group, params, grads, gSign, l2);
    // The buffers this group's options keep, by slot (looked up once per group, not per tensor).
    let b0: string | null = null, b1: string | null = null, b2: string | null = null;
    for (const b of buffers) {
      if (b.when && !b.when(group)) continue;
      if (b.slot === 0) b0 = b.name;
      else if (b.slot === 1) b1 = b.name;
      else b2 = b.name;
    }
    let lastT = -1, prev: TableRow | null = null;
    const rows = this.fillRows(group, params, (r, p, i) => {
      const s = this.state.get(p)!;
      let created = false;
      if (b0 !== null && !s[b0]) created = (s[b0] = zerosLike(p)) !== null;
      if (b1 !== null && !s[b1]) created = (s[b1] = zerosLike(p)) !== null;
      if (b2 !== null && !s[b2]) created = (s[b2] = zerosLike(p)) !== null;
      r.s0 = b0 === null ? null : (s[b0] as Tensor);
      r.s1 = b1 === null ? null : (s[b1] as Tensor);
      r.s2 = b2 === null ? null : (s[b2] as Tensor);
      const t = counted ? (s.step as number) + 1 : 0;
      if (counted) s.step = t;
      r.g = effective[i];
      if (scalarsByStep && prev !== null && t === lastT) {
        r.t0 = prev.t0;
        r.t1 = prev.t1;
        r.t2 = prev.t2;
        r.t3 = prev.t3;
      } else {
        this.rowScalars(r, s, t, group, created);
      }
      lastT = t;
      prev = r;
    });
    this.runKernel(this.tableFor(group, rows), group, gc ? 1 : gSign, gc ? 0 : f32(l2));
  }
}
