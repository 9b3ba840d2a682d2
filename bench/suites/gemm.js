// bench/suites/gemm.js — matrix multiply: wasmtrain's packed SIMD GEMM against
// its pure-JS twin, a naive triple loop and TensorFlow.js matMul (cpu backend,
// and wasm backend single-threaded = XNNPACK), in GFLOP/s (flops = 2·M·N·K).
// Square products and the shapes of a 784-256-10 MLP at batch 128, forward and
// backward (the backward ones transpose an operand: Aᵀ·B for weight
// gradients, A·Bᵀ for input gradients with PyTorch's [out, in] weights).
import * as wasmtrain from "../../dist/index.js";
import { gemm as gemmJs } from "../../dist/reference/gemm.js";

/** Shapes: op(A) is M x K, op(B) is K x N; ta / tb store A / B transposed. */
const SHAPES = [
  ...[64, 128, 256, 512, 1024].map((n) => ({ name: `square ${n}³`, M: n, N: n, K: n, ta: false, tb: false })),
  { name: "MLP fwd 128×784 · 784×256", M: 128, N: 256, K: 784, ta: false, tb: false },
  { name: "MLP fwd 128×256 · 256×10", M: 128, N: 10, K: 256, ta: false, tb: false },
  { name: "MLP fwd x·Wᵀ 128×784 · (256×784)ᵀ", M: 128, N: 256, K: 784, ta: false, tb: true },
  { name: "MLP bwd dW = xᵀ·dy (128×784)ᵀ · 128×256", M: 784, N: 256, K: 128, ta: true, tb: false },
  { name: "MLP bwd dW = xᵀ·dy (128×256)ᵀ · 128×10", M: 256, N: 10, K: 128, ta: true, tb: false },
  { name: "MLP bwd dx = dy·Wᵀ 128×10 · (256×10)ᵀ", M: 128, N: 256, K: 10, ta: false, tb: true },
  { name: "MLP bwd dx = dy·Wᵀ 128×256 · (784×256)ᵀ", M: 128, N: 784, K: 256, ta: false, tb: true },
  // nn.Linear's own layout (weight [out, in]): forward x·Wᵀ above, dW = dyᵀ·x, dx = dy·W.
  { name: "Linear bwd dW = dyᵀ·x (128×256)ᵀ · 128×784", M: 256, N: 784, K: 128, ta: true, tb: false },
  { name: "Linear bwd dW = dyᵀ·x (128×10)ᵀ · 128×256", M: 10, N: 256, K: 128, ta: true, tb: false },
];

/** Deterministic values in [-1, 1). */
function values(n, seed) {
  const v = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 31 - 1;
  }
  return v;
}

/** The textbook i-j-k triple loop (transposes by index arithmetic), for scale. */
function naiveGemm(ta, tb, M, N, K, a, b, c) {
  const lda = ta ? M : K;
  const ldb = tb ? K : N;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += (ta ? a[k * lda + i] : a[i * lda + k]) * (tb ? b[j * ldb + k] : b[k * ldb + j]);
      c[i * N + j] = s;
    }
  }
}

export default function suites(ctx = {}) {
  const wt = ctx.wt ?? wasmtrain;
  return SHAPES.map(({ name, M, N, K, ta, tb }) => {
    const aShape = ta ? [K, M] : [M, K];
    const bShape = tb ? [N, K] : [K, N];
    const A = values(M * K, 1);
    const B = values(K * N, 2);
    const flops = 2 * M * N * K;
    // The scalar loops (and TF.js's cpu backend, also scalar JavaScript) take
    // seconds per product at 1024³; they are measured up to 512³.
    const scalarToo = flops <= 2 * 512 ** 3;
    const cases = {
      wasmtrain: async () => {
        const a = wt.tensor(A, aShape);
        const b = wt.tensor(B, bShape);
        const out = wt.empty([M, N]);
        const opts = { transposeA: ta, transposeB: tb, out };
        return {
          fn: () => wt.matmul(a, b, opts),
          teardown: () => {
            a.dispose();
            b.dispose();
            out.dispose();
          },
        };
      },
    };
    if (scalarToo) {
      cases["pure-js"] = async () => {
        const c = new Float32Array(M * N);
        return () => gemmJs(ta, tb, M, N, K, 1, A, aShape[1], B, bShape[1], 0, c, N);
      };
      cases["naive triple loop"] = async () => {
        const c = new Float32Array(M * N);
        return () => naiveGemm(ta, tb, M, N, K, A, B, c);
      };
    }
    const tfCase = async ({ tf }) => {
      const a = tf.tensor2d(A, aShape);
      const b = tf.tensor2d(B, bShape);
      return {
        fn: () => tf.matMul(a, b, ta, tb).dispose(),
        teardown: () => {
          a.dispose();
          b.dispose();
        },
      };
    };
    if (scalarToo) cases["tfjs-cpu"] = tfCase;
    cases["tfjs-wasm"] = tfCase;
    // Products of a second or more (the scalar loops at 512³) need fewer samples.
    const options = flops >= 2 * 512 ** 3 ? { minSamples: 5 } : undefined;
    return { name: `matmul ${name}`, unit: "matmul", items: 1, flops, cases, ...(options ? { options } : {}) };
  });
}
