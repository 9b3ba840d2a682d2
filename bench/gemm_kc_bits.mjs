// node bench/gemm_kc_bits.mjs — does GEMM's K-blocking change the bits? C = A·B with K = 1024 in one call
// (the kernel's KC = 512: two passes accumulated through C) against the same
// product accumulated over K-slices of 512 (the same order), 256 and 128
// (what KC = 256 / 128 would compute).
import { ready, tensor, matmul, empty } from "../dist/index.js";
await ready({ threads: 1 });
const M = 64, N = 64, K = 1024;
const rnd = (n, s) => { const v = new Float32Array(n); for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; v[i] = s / 2 ** 31 - 1; } return v; };
const a = rnd(M * K, 1), b = rnd(K * N, 2);
const full = matmul(tensor(a, [M, K]), tensor(b, [K, N])).toArray();
for (const kc of [512, 256, 128]) {
  const out = empty([M, N]);
  for (let p = 0; p < K; p += kc) {
    const as = new Float32Array(M * kc);
    for (let i = 0; i < M; i++) as.set(a.subarray(i * K + p, i * K + p + kc), i * kc);
    const bs = b.slice(p * N, (p + kc) * N);
    matmul(tensor(as, [M, kc]), tensor(bs, [kc, N]), { out, beta: p === 0 ? 0 : 1 });
  }
  const r = out.toArray();
  let diff = 0, maxRel = 0;
  for (let i = 0; i < r.length; i++) if (r[i] !== full[i]) { diff++; maxRel = Math.max(maxRel, Math.abs(r[i] - full[i]) / Math.abs(full[i])); }
  console.log(`K-slices of ${kc}: ${diff} of ${r.length} elements differ from the one-call product (max relative difference ${maxRel.toExponential(2)})`);
}
process.exit(0);
