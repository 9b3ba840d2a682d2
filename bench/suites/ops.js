// The tensor operations (src/ops/): bandwidth of a broadcasting binary op,
// the per-call cost of a small op that records autograd, and a model written
// with operations against the same model built from modules.
//   wasmtrain:  the library's operations (results on a module's lifetime clock)
//   pure-js:    the same arithmetic as plain loops over Float32Arrays
//   tfjs-*:     TensorFlow.js on the cpu backend and the single-threaded wasm backend
const M = 1024;
const COLS = 1024;
const ELEMENTS = M * COLS;
const SMALL = 1000;

function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const values = (n, seed) => {
  const r = lcg(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
};

/** A module whose forward is one operation, so its results live on its lifetime clock (as a model's would). */
function opModule(wt, fn) {
  class Op extends wt.nn.Module {
    forward(a, b) {
      return fn(a, b);
    }
  }
  return new Op();
}

function wasmtrainBinary({ wt }, rowBroadcast) {
  const a = wt.tensor(values(ELEMENTS, 1), [M, COLS]);
  const b = rowBroadcast ? wt.tensor(values(COLS, 2), [COLS]) : wt.tensor(values(ELEMENTS, 2), [M, COLS]);
  const m = opModule(wt, (x, y) => x.add(y));
  return { fn: () => wt.noGrad(() => m.forward(a, b)), teardown: () => (a.dispose(), b.dispose()) };
}

function pureJsBinary(rowBroadcast) {
  const a = values(ELEMENTS, 1);
  const b = rowBroadcast ? values(COLS, 2) : values(ELEMENTS, 2);
  const out = new Float32Array(ELEMENTS);
  return rowBroadcast
    ? () => {
        for (let i = 0, k = 0; i < M; i++) for (let j = 0; j < COLS; j++, k++) out[k] = a[k] + b[j];
      }
    : () => {
        for (let k = 0; k < ELEMENTS; k++) out[k] = a[k] + b[k];
      };
}

function tfjsBinary({ tf }, rowBroadcast) {
  const a = tf.tensor2d(values(ELEMENTS, 1), [M, COLS]);
  const b = rowBroadcast ? tf.tensor1d(values(COLS, 2)) : tf.tensor2d(values(ELEMENTS, 2), [M, COLS]);
  return {
    fn: () => {
      const c = tf.add(a, b);
      c.dataSync();
      c.dispose();
    },
    teardown: () => tf.dispose([a, b]),
  };
}

function binarySuite(rowBroadcast) {
  return {
    name: rowBroadcast
      ? `add [${M}, ${COLS}] + [${COLS}] (row broadcast), 1M floats`
      : `add [${M}, ${COLS}] + [${M}, ${COLS}], 1M floats`,
    unit: "element",
    items: ELEMENTS,
    // bytes read + written, as the copy ceiling counts them
    bytes: rowBroadcast ? 8 * ELEMENTS + 4 * COLS : 12 * ELEMENTS,
    options: { minSamples: 20 },
    cases: {
      wasmtrain: (ctx) => wasmtrainBinary(ctx, rowBroadcast),
      "pure-js": async () => pureJsBinary(rowBroadcast),
      "tfjs-cpu": async (ctx) => tfjsBinary(ctx, rowBroadcast),
      "tfjs-wasm": async (ctx) => tfjsBinary(ctx, rowBroadcast),
    },
  };
}

function smallAddSuite() {
  return {
    name: `add of ${SMALL} elements recording autograd (per-call overhead; 64 adds per sample)`,
    unit: "add",
    items: 64,
    options: { minSamples: 20 },
    cases: {
      wasmtrain: async ({ wt }) => {
        const a = wt.tensor(values(SMALL, 3)).requiresGrad_();
        const b = wt.tensor(values(SMALL, 4));
        // 64 calls per forward (one clock tick per 64 results)
        class Many extends wt.nn.Module {
          forward(x, y) {
            let out = null;
            for (let i = 0; i < 64; i++) out = x.add(y);
            return out;
          }
        }
        const many = new Many();
        return { fn: () => many.forward(a, b), teardown: () => (a.dispose(), b.dispose()) };
      },
      "pure-js": async () => {
        const a = values(SMALL, 3);
        const b = values(SMALL, 4);
        return () => {
          for (let i = 0; i < 64; i++) {
            const out = new Float32Array(SMALL);
            for (let k = 0; k < SMALL; k++) out[k] = a[k] + b[k];
          }
        };
      },
      "tfjs-cpu": async ({ tf }) => {
        const a = tf.variable(tf.tensor1d(values(SMALL, 3)));
        const b = tf.tensor1d(values(SMALL, 4));
        // tf.variableGrads records the tape, as requiresGrad does here
        return {
          fn: () => tf.tidy(() => {
            for (let i = 0; i < 64; i++) tf.add(a, b);
          }),
          teardown: () => tf.dispose([a, b]),
        };
      },
    },
  };
}

const N = 128;
const IN = 784;
const H = 256;
const OUT = 10;

function mlpData(wt) {
  const r = lcg(5);
  const x = wt.tensor(Float32Array.from({ length: N * IN }, () => r()), [N, IN]);
  const labels = Int32Array.from({ length: N }, () => Math.floor(r() * OUT));
  return { x, labels };
}

/** 784-256-256-10 with a skip connection: h1 = relu(fc1 x), h2 = relu(fc2 h1) + h1, logits = fc3 h2. */
function skipMlp({ wt }, style) {
  wt.manualSeed(0);
  const { x, labels } = mlpData(wt);
  let model;
  if (style === "modules") {
    class Skip extends wt.nn.Module {
      constructor() {
        super();
        this.fc1 = new wt.nn.Linear(IN, H);
        this.fc2 = new wt.nn.Linear(H, H);
        this.fc3 = new wt.nn.Linear(H, OUT);
        this.act = new wt.nn.ReLU();
      }
      forward(input) {
        const h1 = this.act.forward(this.fc1.forward(input));
        return this.fc3.forward(this.act.forward(this.fc2.forward(h1)).add(h1));
      }
    }
    model = new Skip();
  } else {
    const lin = (i, o) => {
      const l = new wt.nn.Linear(i, o); // PyTorch's initialisation, then used as plain parameters
      return [l.weight, l.bias];
    };
    const [w1, b1] = lin(IN, H);
    const [w2, b2] = lin(H, H);
    const [w3, b3] = lin(H, OUT);
    class Ops extends wt.nn.Module {
      constructor() {
        super();
        this.params = [w1, b1, w2, b2, w3, b3];
      }
      parameters() {
        return this.params;
      }
      forward(input) {
        const F = wt.F;
        const h1 = F.linear(input, w1, b1).relu();
        const h2 = F.linear(h1, w2, b2).relu().add(h1);
        return F.linear(h2, w3, b3);
      }
    }
    model = new Ops();
  }
  const opt = new wt.optim.Adam(model.parameters(), { lr: 1e-3 });
  const ce = new wt.nn.CrossEntropyLoss();
  return {
    fn: () => {
      opt.zeroGrad();
      ce.forward(model.forward(x), labels).backward();
      opt.step();
    },
    teardown: () => x.dispose(),
  };
}

export default function suites() {
  const F1 = 2 * N * (IN * H + H * H + H * OUT);
  return [
    binarySuite(false),
    binarySuite(true),
    smallAddSuite(),
    {
      name: "MLP 784-256-256-10 with a skip connection, batch 128, Adam: operations vs modules",
      unit: "sample",
      items: N,
      flops: 3 * F1,
      options: { minSamples: 20 },
      cases: {
        wasmtrain: (ctx) => skipMlp(ctx, "ops"),
        "wasmtrain-modules": (ctx) => skipMlp(ctx, "modules"),
      },
    },
  ];
}
