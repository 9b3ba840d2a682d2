// Pure-JS twins of assembly/activation.ts (SiLU, Softplus, ELU), float64
// arithmetic over typed arrays.
import type { FloatArray } from "./nn.js";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function siluForward(x: FloatArray, y: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] * sigmoid(x[i]);
}

export function siluBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, n: number, acc: number): void {
  for (let i = 0; i < n; i++) {
    const s = sigmoid(x[i]);
    const g = dy[i] * s * (1 + x[i] * (1 - s));
    dx[i] = acc ? dx[i] + g : g;
  }
}

export function softplusForward(x: FloatArray, y: FloatArray, n: number, beta: number, threshold: number): void {
  for (let i = 0; i < n; i++) {
    const z = x[i] * beta;
    y[i] = z > threshold ? x[i] : (Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)))) / beta;
  }
}

export function softplusBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, n: number, beta: number, threshold: number, acc: number): void {
  for (let i = 0; i < n; i++) {
    const z = x[i] * beta;
    const g = z > threshold ? dy[i] : dy[i] * sigmoid(z);
    dx[i] = acc ? dx[i] + g : g;
  }
}

export function eluForward(x: FloatArray, y: FloatArray, n: number, alpha: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]);
}

export function eluBackward(x: FloatArray, dy: FloatArray, dx: FloatArray, n: number, alpha: number, acc: number): void {
  for (let i = 0; i < n; i++) {
    const g = x[i] > 0 ? dy[i] : dy[i] * alpha * Math.exp(x[i]);
    dx[i] = acc ? dx[i] + g : g;
  }
}
