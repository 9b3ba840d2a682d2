// Grad mode: whether operations record the graph (PyTorch's torch.no_grad /
// torch.enable_grad).
let gradEnabled = true;

/** Runs fn with recording off (PyTorch's torch.no_grad()); returns its result. */
export function noGrad<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`noGrad: expected a function, got ${String(fn)}`);
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs fn with recording on, also inside noGrad (PyTorch's torch.enable_grad()); returns its result. */
export function enableGrad<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError(`enableGrad: expected a function, got ${String(fn)}`);
  const previous = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

export function isGradEnabled(): boolean {
  return gradEnabled;
}
