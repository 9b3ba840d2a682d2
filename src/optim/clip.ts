// Gradient clipping: torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (1.13).
import { Tensor } from "../tensor.js";
import { backend, TensorTable, type TableRow } from "../backend/index.js";
import { booleanOption, describe, numberArg, optionsArg } from "../validate.js";

export interface ClipGradNormOptions {
  /** 2 (default), 1, Infinity / 'inf', -Infinity / '-inf', 0 (count of non-zeros), or any other p. */
  normType?: number | "inf" | "-inf";
  errorIfNonfinite?: boolean;
}

const table = new TensorTable();

function gradsOf(params: Iterable<Tensor> | Tensor, who: string): Tensor[] {
  if (!(params instanceof Tensor) && (params === null || typeof params !== "object" || typeof (params as Iterable<Tensor>)[Symbol.iterator] !== "function")) {
    throw new TypeError(`${who}: params must be a Tensor or an iterable of Tensors, got ${describe(params)}`);
  }
  const list = params instanceof Tensor ? [params] : [...params];
  const grads: Tensor[] = [];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new TypeError(`${who}: params[${i}] must be a Tensor, got ${describe(p)}`);
    p.assertAlive(`${who}: params[${i}]`);
    if (p.grad) {
      p.grad.assertAlive(`${who}: gradient of params[${i}]`);
      grads.push(p.grad);
    }
  });
  return grads;
}

function rowsOf(grads: Tensor[]): TableRow[] {
  return grads.map((g) => ({ p: g, g }));
}

/**
 * Scales the gradients so that their total norm (the norm of the per-tensor
 * norms) is at most maxNorm: coef = maxNorm / (total + 1e-6), clamped to 1,
 * as PyTorch 1.13. Returns the total norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, options?: ClipGradNormOptions): number {
  const where = "clipGradNorm";
  const o = optionsArg(where, options, ["normType", "errorIfNonfinite"]);
  const normType = (o.normType ?? 2) as ClipGradNormOptions["normType"];
  const errorIfNonfinite = booleanOption(where, "errorIfNonfinite", o.errorIfNonfinite, false);
  // PyTorch accepts max_norm = inf (no clipping); NaN would turn every gradient into NaN
  numberArg(where, "maxNorm", maxNorm, { finite: false });
  const p = normType === "inf" ? Infinity : normType === "-inf" ? -Infinity : normType;
  if (typeof p !== "number" || Number.isNaN(p)) {
    // a string other than 'inf'/'-inf' is a value outside the choices (RangeError), as NaN is
    const E = typeof p === "string" || typeof p === "number" ? RangeError : TypeError;
    throw new E(`clipGradNorm: normType must be a number, 'inf' or '-inf', got ${describe(normType)}`);
  }
  const grads = gradsOf(params, "clipGradNorm");
  if (grads.length === 0) return 0;
  let total: number;
  if (p === Infinity || p === 1 || p === 2) {
    const kind = p === Infinity ? 0 : p;
    const rows = rowsOf(grads);
    backend().gradNorms(table.bind(rows), kind);
    const parts = rows.map((r) => r.r0!);
    if (p === Infinity) total = parts.reduce((a, b) => (b > a || b !== b ? b : a), 0);
    else if (p === 1) total = parts.reduce((a, b) => a + b, 0);
    else total = Math.sqrt(parts.reduce((a, b) => a + b, 0));
  } else {
    // PyTorch: the p-norm of the per-tensor p-norms (for p = 0, the count of
    // non-zeros; for p = -inf, the smallest magnitude).
    const parts = grads.map((g) => vectorNorm(g.data, p));
    total = vectorNorm(parts, p);
  }
  total = Math.fround(total);
  if (!Number.isFinite(total) && errorIfNonfinite) {
    throw new Error(
      `clipGradNorm: the total norm of order ${String(normType)} for gradients from \`parameters\` is non-finite (${total}), so it cannot be clipped. ` +
        "To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false",
    );
  }
  const coef = Math.fround(Math.fround(maxNorm) / Math.fround(total + Math.fround(1e-6)));
  if (!(coef >= 1)) {
    backend().scaleGrads(table.bind(rowsOf(grads)), coef);
  }
  return total;
}

/** torch.linalg.vector_norm of `x` for an order p other than 1, 2 and +inf. */
function vectorNorm(x: ArrayLike<number>, p: number): number {
  // torch.norm of an empty tensor is 0 for every order (also negative ones, whose
  // formula would give +Infinity), so an empty gradient contributes a 0 part.
  if (x.length === 0) return 0;
  if (p === 0) {
    let count = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) count++;
    return count;
  }
  if (p === -Infinity) {
    let min = Infinity;
    for (let i = 0; i < x.length; i++) min = Math.min(min, Math.abs(x[i]));
    return min;
  }
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]) ** p;
  return sum ** (1 / p);
}

/** Clamps every gradient element into [−clipValue, clipValue]. */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  numberArg("clipGradValue", "clipValue", clipValue, { finite: false });
  const grads = gradsOf(params, "clipGradValue");
  if (grads.length === 0) return;
  backend().clampGrads(table.bind(rowsOf(grads)), Math.fround(clipValue));
}
