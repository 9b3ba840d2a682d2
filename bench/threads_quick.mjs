// node bench/threads_quick.mjs — the new parallel kernels, 1 vs 2 threads, fastest of 4 alternating rounds (robust to a loaded machine).
import { ready, setNumThreads, tensor, parameter, optim } from "../dist/index.js";
await ready({ threads: 2 });
const vals = (n, s) => { const v = new Float32Array(n); for (let i = 0; i < n; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; v[i] = s / 2 ** 31 - 1; } return v; };
const a1k = tensor(vals(1000, 1), [1000]), b1k = tensor(vals(1000, 2), [1000]);
const a1m = tensor(vals(1e6, 3), [1e6]), b1m = tensor(vals(1e6, 4), [1e6]);
const sm = tensor(vals(256 * 4096, 5), [256, 4096]);
const ps = [0, 1, 2, 3].map((i) => { const p = parameter(vals(1e6, 6 + i), [1e6]); p.grad = tensor(vals(1e6, 10 + i), [1e6]); return p; });
const cases = {
  "add 1,000": [() => a1k.add(b1k).dispose(), 2000],
  "add 1M": [() => a1m.add(b1m).dispose(), 100],
  "sum 1M": [() => a1m.sum().dispose(), 100],
  "softmax 256x4096": [() => sm.softmax(1).dispose(), 30],
  "clipGradNorm 4M": [() => optim.clipGradNorm(ps, 1e9), 60],
};
const best = {};
for (let round = 0; round < 4; round++) {
  for (const t of [1, 2]) {
    await ready({ threads: t });
    for (const [name, [fn, reps]] of Object.entries(cases)) {
      for (let i = 0; i < 5; i++) fn();
      let m = Infinity;
      for (let i = 0; i < reps; i++) { const t0 = performance.now(); fn(); m = Math.min(m, performance.now() - t0); }
      const k = `${name}|${t}`;
      best[k] = Math.min(best[k] ?? Infinity, m);
    }
  }
}
for (const name of Object.keys(cases)) {
  const t1 = best[`${name}|1`], t2 = best[`${name}|2`];
  console.log(`${name}: 1 thread ${(t1 * 1000).toFixed(1)} µs, 2 threads ${(t2 * 1000).toFixed(1)} µs, ${(t1 / t2).toFixed(2)}x (fastest of 4 rounds)`);
}
process.exit(0);
