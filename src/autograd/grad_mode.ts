// Grad mode: whether operations record the graph (PyTorch's torch.no_grad /
// torch.enable_grad).
let gradEnabled = true;

/** Runs fn with recording set to `enabled`, restoring the mode after (also when fn throws). */
function withGradMode<T>(what: string, enabled: boolean, fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`${what}: expected a function, got ${String(fn)}`);
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs fn with recording off (PyTorch's torch.no_grad()); returns its result. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode("noGrad", false, fn);
}

/** Runs fn with recording on, also inside noGrad (PyTorch's torch.enable_grad()); returns its result. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode("enableGrad", true, fn);
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}
