// TEMPORARY stand-ins for src/random.ts (fillUniform, bernoulli), which is being
// written in parallel: Math.random, not seedable. Replaced by the real generator
// once it is merged; nothing else should import this file.
import type { Tensor } from "../tensor.js";

export function temporaryFillUniform(t: Tensor, a: number, b: number): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = a + (b - a) * Math.random();
  return t;
}

export function temporaryBernoulli(t: Tensor, p: number, { scale = 1 }: { scale?: number } = {}): Tensor {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.random() < p ? scale : 0;
  return t;
}
