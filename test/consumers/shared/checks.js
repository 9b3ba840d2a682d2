// Checks every consumer app runs against the installed package, in the page
// and in a Web Worker. They take the package's namespace as an argument so
// the import itself (`from "wasmtrain"`) stays in each app, exactly as a user
// writes it, and the same file runs in Node for the comparison.

/** A seeded float in [-1, 1) from a 32-bit LCG: test data without the library's RNG. */
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

/**
 * ready() (optionally forcing a build), backendInfo(), tensors, a matmul
 * against a float64 loop, and dispose() bookkeeping.
 * Returns plain JSON data for the test to assert on.
 */
export async function smoke(wt, { build } = {}) {
  await wt.ready(build ? { build } : undefined);
  const info = wt.backendInfo();
  const before = wt.memoryStats().liveTensors;
  const M = 37, K = 53, N = 29;
  const next = lcg(12345);
  const av = Float32Array.from({ length: M * K }, next);
  const bv = Float32Array.from({ length: K * N }, next);
  const a = wt.tensor(av, [M, K]);
  const b = wt.tensor(bv, [K, N]);
  const c = wt.matmul(a, b);
  let maxAbsErr = 0;
  const cd = c.data;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let p = 0; p < K; p++) acc += av[i * K + p] * bv[p * N + j];
      maxAbsErr = Math.max(maxAbsErr, Math.abs(acc - cd[i * N + j]));
    }
  }
  const shape = [...c.shape];
  const nested = wt.tensor([[1, 2], [3, 4]]);
  const nestedShape = [...nested.shape];
  for (const t of [a, b, c, nested]) t.dispose();
  let disposedMessage = "";
  try {
    void a.data;
  } catch (e) {
    disposedMessage = String(e.message);
  }
  return {
    build: info.build,
    threads: info.threads,
    memoryBytes: info.memoryBytes,
    matmulShape: shape,
    matmulMaxAbsErr: maxAbsErr,
    nestedShape,
    liveTensorsAfterDispose: wt.memoryStats().liveTensors - before,
    disposedMessage,
  };
}
