// Saving and loading a training run: a 10M-parameter model (Linear(1000, 5000),
// ReLU, Linear(5000, 1000): 10,006,000 parameters) with Adam's state (exp_avg,
// exp_avg_sq: 30M float32 values, 120 MB in all).
//   copy baseline     the same bytes copied out of (save) or into (load) the
//                     tensors' WebAssembly storage, into / from one new buffer:
//                     what any serialiser must at least do
//   saveCheckpoint    io.saveCheckpoint({ model, optimizer }) (PyTorch's layout)
//   loadCheckpoint    io.loadCheckpoint(bytes, { model, optimizer }): validation
//                     of the whole file, then every value copied into storage
//   JSON              JSON.stringify of the model's and the optimizer's state
//                     dicts, and JSON.parse + loadStateDict back (10M-value
//                     model only: the optimizer's 20M values exceed V8's
//                     largest string when stringified together)
const IN = 1000;
const HIDDEN = 5000;

function setup(wt) {
  const model = new wt.nn.Sequential(new wt.nn.Linear(IN, HIDDEN), new wt.nn.ReLU(), new wt.nn.Linear(HIDDEN, IN));
  const optimizer = new wt.optim.Adam(model.parameters(), { lr: 1e-3 });
  for (const p of model.parameters()) {
    p.grad = wt.empty(p.shape);
    p.grad.data.fill(0.01);
  }
  optimizer.step();
  const tensors = [...model.parameters(), ...model.parameters().flatMap((p) => Object.values(optimizer.state.get(p)).filter((v) => v instanceof wt.Tensor))];
  const values = tensors.reduce((s, t) => s + t.size, 0);
  const teardown = () => {
    optimizer.dispose();
    model.dispose();
  };
  return { model, optimizer, tensors, values, teardown };
}

/** Parameters + Adam's two buffers. */
const VALUES = 3 * (IN * HIDDEN + HIDDEN + HIDDEN * IN + IN);
const MODEL_VALUES = IN * HIDDEN + HIDDEN + HIDDEN * IN + IN;

export default function suites() {
  return [
    {
      name: "checkpoint of a 10M-parameter model + Adam state (30M values, 120 MB)",
      unit: "value",
      items: VALUES,
      bytes: 4 * VALUES,
      options: { minSamples: 5, maxTime: 4 },
      cases: {
        "save: copy baseline": async ({ wt }) => {
          const s = setup(wt);
          return {
            fn: () => {
              const out = new Uint8Array(4 * s.values);
              let pos = 0;
              for (const t of s.tensors) {
                const d = t.data;
                out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), pos);
                pos += d.byteLength;
              }
              return out;
            },
            teardown: s.teardown,
          };
        },
        "wasmtrain saveCheckpoint": async ({ wt }) => {
          const s = setup(wt);
          return { fn: () => wt.io.saveCheckpoint({ model: s.model, optimizer: s.optimizer }), teardown: s.teardown };
        },
        "load: copy baseline": async ({ wt }) => {
          const s = setup(wt);
          const src = new Uint8Array(4 * s.values);
          return {
            fn: () => {
              let pos = 0;
              for (const t of s.tensors) {
                const d = t.data;
                new Uint8Array(d.buffer, d.byteOffset, d.byteLength).set(src.subarray(pos, pos + d.byteLength));
                pos += d.byteLength;
              }
            },
            teardown: s.teardown,
          };
        },
        "wasmtrain loadCheckpoint": async ({ wt }) => {
          const s = setup(wt);
          const bytes = wt.io.saveCheckpoint({ model: s.model, optimizer: s.optimizer });
          return { fn: () => wt.io.loadCheckpoint(bytes, { model: s.model, optimizer: s.optimizer }), teardown: s.teardown };
        },
      },
    },
    {
      name: "model state dict, 10M parameters: safetensors vs JSON",
      unit: "value",
      items: MODEL_VALUES,
      bytes: 4 * MODEL_VALUES,
      options: { minSamples: 3, maxTime: 4 },
      cases: {
        "saveSafetensors(model.stateDict())": async ({ wt }) => {
          const s = setup(wt);
          return {
            fn: () => {
              const sd = s.model.stateDict();
              const out = wt.io.saveSafetensors(sd);
              for (const t of Object.values(sd)) t.dispose();
              return out;
            },
            teardown: s.teardown,
          };
        },
        "JSON.stringify(model.stateDict())": async ({ wt }) => {
          const s = setup(wt);
          return {
            fn: () => {
              const sd = s.model.stateDict();
              const out = JSON.stringify(sd);
              for (const t of Object.values(sd)) t.dispose();
              return out;
            },
            teardown: s.teardown,
          };
        },
        "loadSafetensors + loadStateDict": async ({ wt }) => {
          const s = setup(wt);
          const sd = s.model.stateDict();
          const bytes = wt.io.saveSafetensors(sd);
          for (const t of Object.values(sd)) t.dispose();
          return {
            fn: () => {
              const { tensors } = wt.io.loadSafetensors(bytes);
              s.model.loadStateDict(tensors);
              for (const t of Object.values(tensors)) t.dispose();
            },
            teardown: s.teardown,
          };
        },
        "JSON.parse + loadStateDict": async ({ wt }) => {
          const s = setup(wt);
          const sd = s.model.stateDict();
          const text = JSON.stringify(sd);
          for (const t of Object.values(sd)) t.dispose();
          return { fn: () => s.model.loadStateDict(JSON.parse(text)), teardown: s.teardown };
        },
      },
    },
  ];
}
