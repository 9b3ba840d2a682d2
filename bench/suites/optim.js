// Optimizer step throughput (issue 3): every update rule on one 1M-parameter
// tensor, one 10M-parameter tensor, and 1,000 tensors of 1,000 parameters
// (the multi-tensor path: one WebAssembly call per group), against the pure-JS
// twin (src/reference/optim.ts, called directly on Float32Arrays) and the
// TensorFlow.js optimizer of the same rule (tf.train.*, cpu and wasm backends).
// Plus Adam with gradients ~1e-20, whose second moment lives in the
// subnormal range.
//
// Bytes per parameter count what one step reads and writes: Adam reads p, g,
// m, v and writes p, m, v = 28 bytes.
import * as ref from "../../dist/reference/optim.js";

const f = Math.fround;

/** Bytes read + written per parameter by one step. */
const RULES = {
  SGD: { bytes: 20, options: { lr: 0.01, momentum: 0.9 }, tf: (tf) => tf.train.momentum(0.01, 0.9) },
  Adam: { bytes: 28, options: { lr: 1e-3 }, tf: (tf) => tf.train.adam(1e-3, 0.9, 0.999, 1e-8) },
  AdamW: { bytes: 28, options: { lr: 1e-3 } },
  Adagrad: { bytes: 20, options: { lr: 0.01 }, tf: (tf) => tf.train.adagrad(0.01, 0) },
  RMSprop: { bytes: 20, options: { lr: 0.01 }, tf: (tf) => tf.train.rmsprop(0.01, 0.99, 0, 1e-8) },
  Adamax: { bytes: 28, options: { lr: 2e-3 }, tf: (tf) => tf.train.adamax(2e-3, 0.9, 0.999, 1e-8) },
  NAdam: { bytes: 28, options: { lr: 2e-3 } },
  RAdam: { bytes: 28, options: { lr: 1e-3 } },
  Adadelta: { bytes: 28, options: { lr: 1 }, tf: (tf) => tf.train.adadelta(1, 0.9, 1e-6) },
  LAMB: { bytes: 40, options: { lr: 1e-3 } },
};

const SHAPES = {
  "1M parameters": { tensors: 1, size: 1_000_000 },
  "10M parameters": { tensors: 1, size: 10_000_000 },
  "1,000 tensors x 1,000 parameters": { tensors: 1000, size: 1000 },
};

function fillGrad(a, scale, seed) {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * scale;
  }
}

function wasmtrainCase(rule, shape, gradScale) {
  return async ({ wt }) => {
    // As in a model: the parameters are allocated first, the gradients later.
    const params = [];
    for (let t = 0; t < shape.tensors; t++) {
      const p = wt.zeros([shape.size]);
      p.data.fill(0.5);
      params.push(p);
    }
    params.forEach((p, t) => {
      const g = wt.zeros([shape.size]);
      fillGrad(g.data, gradScale, t + 1);
      p.grad = g;
    });
    const opt = new wt.optim[rule](params, RULES[rule].options);
    opt.step();
    return {
      fn: () => opt.step(),
      teardown: () => {
        opt.dispose();
        for (const p of params) {
          p.grad.dispose();
          p.dispose();
        }
      },
    };
  };
}

/** The twin of each rule on plain Float32Arrays, with that rule's per-step scalars. */
function twinStep(rule, p, g, s0, s1) {
  const b1 = f(0.9), omb1 = f(0.1), b2 = f(0.999), omb2 = f(1 - 0.999), eps = f(1e-8);
  switch (rule) {
    case "SGD": return () => ref.sgdStepJs(p, g, s0, false, f(0.01), f(0.9), 1, 0, 1, false);
    case "Adam": return () => ref.adamStepJs(p, g, s0, s1, null, f(1e-3 / 0.1), f(1 / Math.sqrt(0.001)), b1, omb1, b2, omb2, eps, 0, 1, 1);
    case "AdamW": return () => ref.adamStepJs(p, g, s0, s1, null, f(1e-3 / 0.1), f(1 / Math.sqrt(0.001)), b1, omb1, b2, omb2, eps, 0, f(1 - 1e-5), 1);
    case "Adagrad": return () => ref.adagradStepJs(p, g, s0, f(0.01), f(1e-10), 0, 1);
    case "RMSprop": return () => ref.rmspropStepJs(p, g, s0, null, null, f(0.01), f(0.99), f(0.01), eps, 0, 1, 0);
    case "Adamax": return () => ref.adamaxStepJs(p, g, s0, s1, f(2e-3 / 0.1), b1, omb1, b2, eps, 0, 1);
    case "NAdam": return () => ref.nadamStepJs(p, g, s0, s1, f(1 / 0.001), f(2e-4), f(2e-3), b1, omb1, b2, omb2, eps, 0);
    case "RAdam": return () => ref.radamStepJs(p, g, s0, s1, f(1 / 0.1), f(1e-3), f(1.2), f(Math.sqrt(0.01)), b1, omb1, b2, omb2, eps, 0);
    case "Adadelta": return () => ref.adadeltaStepJs(p, g, s0, s1, 1, f(0.9), f(0.1), f(1e-6), 0, 1);
    case "LAMB": return () => {
      const [wn, un] = ref.lambMomentsJs(p, g, s0, s1, f(1 / 0.1), f(1 / 0.001), b1, omb1, b2, omb2, f(1e-6), 0, 1);
      ref.lambApplyJs(p, s0, s1, f(1 / 0.1), f(1 / 0.001), f(1e-3 * Math.sqrt(wn / un)), f(1e-6), 0);
    };
    default: throw new Error(`no twin for ${rule}`);
  }
}

function pureJsCase(rule, shape, gradScale) {
  return async () => {
    const steps = [];
    for (let t = 0; t < shape.tensors; t++) {
      const p = new Float32Array(shape.size).fill(0.5);
      const g = new Float32Array(shape.size);
      fillGrad(g, gradScale, t + 1);
      const s0 = new Float32Array(shape.size), s1 = new Float32Array(shape.size);
      steps.push(twinStep(rule, p, g, s0, s1));
    }
    if (steps.length === 1) return steps[0];
    return () => {
      for (let i = 0; i < steps.length; i++) steps[i]();
    };
  };
}

function tfjsCase(rule, shape) {
  return async ({ tf }) => {
    const vars = [];
    const grads = [];
    for (let t = 0; t < shape.tensors; t++) {
      const g = new Float32Array(shape.size);
      fillGrad(g, 1e-2, t + 1);
      vars.push(tf.variable(tf.fill([shape.size], 0.5), true, `optim_bench_${rule}_${t}_${Math.random().toString(36).slice(2)}`));
      grads.push(tf.tensor1d(g));
    }
    const optimizer = RULES[rule].tf(tf);
    const named = vars.map((v, i) => ({ name: v.name, tensor: grads[i] }));
    const fn = () => {
      tf.tidy(() => optimizer.applyGradients(named));
      // A step is done when its values are: wait for the last variable.
      vars[vars.length - 1].dataSync();
    };
    fn();
    return {
      fn,
      teardown: () => {
        optimizer.dispose();
        for (const v of vars) v.dispose();
        for (const g of grads) g.dispose();
      },
    };
  };
}

export default function suites({ quick }) {
  const out = [];
  for (const [rule, info] of Object.entries(RULES)) {
    for (const [label, shape] of Object.entries(SHAPES)) {
      const items = shape.tensors * shape.size;
      const cases = {
        wasmtrain: wasmtrainCase(rule, shape, 1e-2),
        "pure-js": pureJsCase(rule, shape, 1e-2),
      };
      if (info.tf) {
        cases["tfjs-cpu"] = tfjsCase(rule, shape);
        cases["tfjs-wasm"] = tfjsCase(rule, shape);
      }
      out.push({
        name: `${rule} step, ${label}`,
        unit: "param",
        items,
        bytes: info.bytes * items,
        cases,
        options: quick ? undefined : { minSamples: 5 },
      });
    }
  }
  out.push({
    name: "Adam step, 10M parameters, gradients ~1e-20 (subnormal second moments)",
    unit: "param",
    items: 10_000_000,
    bytes: 28 * 10_000_000,
    cases: {
      wasmtrain: wasmtrainCase("Adam", SHAPES["10M parameters"], 2e-20),
      "pure-js": pureJsCase("Adam", SHAPES["10M parameters"], 2e-20),
    },
  });
  return out;
}
