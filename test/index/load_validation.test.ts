// Every load validates everything before changing anything: JSON state dicts
// of modules, optimizers and schedulers, and checkpoints. One table per kind;
// each row is a corruption, the message that must name it, and the check that
// nothing changed (state dicts before and after, tensors allocated). NaN and
// ±Infinity in tensor data survive JSON.stringify (as "NaN", "Infinity",
// "-Infinity").
import { describe, expect, it } from "vitest";
import { io, memoryStats, nn, optim, tensor, type Tensor } from "../../src/index.js";
import { encodeSafetensors, parseSafetensorsHeader, type WriteEntry } from "../../src/io/safetensors.js";

const L = optim.lrScheduler;
type Json = Record<string, unknown>;
const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

function expectUnchanged(snapshot: () => string, fn: () => unknown, message: RegExp): void {
  const before = snapshot();
  const { liveTensors, allocatedBytes } = memoryStats();
  expect(fn).toThrow(message);
  expect(memoryStats()).toMatchObject({ liveTensors, allocatedBytes });
  expect(snapshot()).toBe(before);
}

/** A module's state dict as JSON, its copies freed. */
function moduleJson(m: nn.Module): string {
  const sd = m.stateDict();
  const text = JSON.stringify(sd);
  for (const t of Object.values(sd)) t.dispose();
  return text;
}

function trainedAdam(amsgrad = false) {
  const model = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
  const opt = new optim.Adam(model.parameters(), { lr: 0.01, amsgrad });
  const x = tensor([[1, 2, 3], [3, 1, 0], [0, 1, 1]]);
  const target = tensor([[1, 0], [0, 1], [1, 1]]);
  const mse = new nn.MSELoss();
  for (let i = 0; i < 2; i++) {
    opt.zeroGrad();
    const loss = mse.forward(model.forward(x), target);
    loss.backward();
    opt.step();
  }
  return { model, opt };
}

describe("NaN and ±Infinity survive JSON.stringify -> loadStateDict", () => {
  it("in a module's parameters and buffers", () => {
    const m = new nn.Linear(2, 2);
    m.weight.data.set([NaN, Infinity, -Infinity, 2.5]);
    const text = JSON.stringify(m.stateDict());
    expect(text).toContain('"NaN","Infinity","-Infinity"');
    const n = new nn.Linear(2, 2);
    n.loadStateDict(JSON.parse(text));
    expect(Array.from(n.weight.data)).toEqual([NaN, Infinity, -Infinity, 2.5]);
  });

  it("in an optimizer's state buffers", () => {
    const { model, opt } = trainedAdam();
    const first = opt.state.get(model.parameters()[0])!.exp_avg as Tensor;
    first.data.set([NaN, Infinity, -Infinity], 0);
    const sd = JSON.parse(JSON.stringify(opt.stateDict()));
    const fresh = new optim.Adam(model.parameters(), { lr: 0.01 });
    fresh.loadStateDict(sd);
    const loaded = fresh.state.get(model.parameters()[0])!.exp_avg as Tensor;
    expect(Array.from(loaded.data.subarray(0, 3))).toEqual([NaN, Infinity, -Infinity]);
    expect(JSON.stringify(fresh.stateDict())).toBe(JSON.stringify(opt.stateDict()));
  });
});

describe("Module.loadStateDict rejects a bad state dict and changes nothing", () => {
  const rows: [string, (sd: Json) => void, RegExp, { strict?: boolean }?][] = [
    ["data given as a string", (sd) => ((sd.bias as Json).data = "12"), /bias: data must be an array of numbers, got string/],
    ["a string among the numbers", (sd) => ((sd.bias as Json).data = ["abc", 1]), /bias: data\[0\] is "abc", not a number/],
    ["null among the numbers", (sd) => ((sd.weight as Json).data = [1, null, 3, 4]), /weight: data\[1\] is null, not a number/],
    ["data shorter than the shape", (sd) => ((sd.weight as Json).data = [1, 2, 3]), /weight has 3 values, its shape holds 4/],
    ["data longer than the shape", (sd) => ((sd.bias as Json).data = [1, 2, 3]), /bias has 3 values, its shape holds 2/],
    ["a shape that differs", (sd) => ((sd.weight as Json).shape = [4, 1]), /size mismatch for weight: copying a param with shape \[4, 1\] from checkpoint, the shape in current model is \[2, 2\]/],
    ["a shape holding a string", (sd) => ((sd.weight as Json).shape = ["2", 2]), /weight has shape \["2",2\]: every size must be a non-negative integer/],
    ["no shape", (sd) => delete (sd.weight as Json).shape, /weight has no shape/],
    ["an entry that is a number", (sd) => (sd.bias = 3), /bias must be a Tensor or \{ shape, data \}, got 3/],
    ["a missing key (strict)", (sd) => delete sd.bias, /Missing key\(s\) in state_dict: "bias"\./],
    ["an unexpected key (strict)", (sd) => (sd.extra = { shape: [1], data: [1] }), /Unexpected key\(s\) in state_dict: "extra"\./],
    ["bad data under strict: false", (sd) => { delete sd.bias; (sd.weight as Json).data = [1, "x", 3, 4]; }, /weight: data\[1\] is "x"/, { strict: false }],
  ];
  for (const [what, corrupt, message, options] of rows) {
    it(what, () => {
      const m = new nn.Linear(2, 2);
      const sd = copy(m.stateDict()) as unknown as Json;
      corrupt(sd);
      expectUnchanged(() => moduleJson(m), () => m.loadStateDict(sd as never, options), message);
    });
  }

  it("strict: false loads the matching keys and reports the others, as PyTorch", () => {
    const m = new nn.Linear(2, 2);
    const sd = copy(m.stateDict()) as unknown as Json;
    delete sd.bias;
    sd.other = { shape: [1], data: [0] };
    (sd.weight as Json).data = [1, 2, 3, 4];
    expect(m.loadStateDict(sd as never, { strict: false })).toEqual({ missingKeys: ["bias"], unexpectedKeys: ["other"] });
    expect(Array.from(m.weight.data)).toEqual([1, 2, 3, 4]);
  });
});

describe("Optimizer.loadStateDict rejects a bad state dict and changes nothing", () => {
  const rows: [string, (sd: Json) => void, RegExp][] = [
    ["state given as an array (would restart Adam's step count)", (sd) => (sd.state = []), /state \(an object\)/],
    ["a parameter's state given as an array", (sd) => ((sd.state as Json)["0"] = []), /state\[0\] must be an object of state entries/],
    ["a step count given as a string", (sd) => (((sd.state as Json)["0"] as Json).step = "2"), /state\[0\]\.step must be a number, got "2"/],
    ["a step count of null", (sd) => (((sd.state as Json)["0"] as Json).step = null), /state\[0\]\.step must be a number, got null/],
    ["a fractional step count", (sd) => (((sd.state as Json)["0"] as Json).step = 1.5), /state\[0\]\.step must be a non-negative integer, got 1.5/],
    ["a negative step count", (sd) => (((sd.state as Json)["0"] as Json).step = -1), /state\[0\]\.step must be a non-negative integer, got -1/],
    ["an infinite step count", (sd) => (((sd.state as Json)["0"] as Json).step = Infinity), /state\[0\]\.step must be a non-negative integer, got Infinity/],
    ["a state buffer given as a number", (sd) => (((sd.state as Json)["1"] as Json).exp_avg = 0), /state\[1\]\.exp_avg must be \{ shape, data \}, got 0/],
    ["a state buffer with a string among its numbers", (sd) => ((((sd.state as Json)["1"] as Json).exp_avg as Json).data = ["0.1", 0]), /state\[1\]\.exp_avg: data\[0\] is "0.1", not a number/],
    ["a state buffer of the wrong length", (sd) => ((((sd.state as Json)["1"] as Json).exp_avg_sq as Json).data = [1]), /state\[1\]\.exp_avg_sq has 1 values, its shape holds 2/],
    ["a missing state buffer", (sd) => delete ((sd.state as Json)["0"] as Json).exp_avg_sq, /state\[0\] lacks exp_avg_sq/],
    ["an unexpected state entry", (sd) => (((sd.state as Json)["0"] as Json).momentum_buffer = { shape: [2, 3], data: [0, 0, 0, 0, 0, 0] }), /state\[0\] has an unexpected entry momentum_buffer/],
    ["state for a parameter that is not there", (sd) => ((sd.state as Json)["9"] = (sd.state as Json)["0"]), /state for parameter 9, which is in no parameter group/],
    ["a group without lr", (sd) => delete (sd.paramGroups as Json[])[0].lr, /paramGroups\[0\] lacks the option lr/],
    ["lr given as a string", (sd) => ((sd.paramGroups as Json[])[0].lr = "0.01"), /paramGroups\[0\]: .*learning rate.*"0.01"|paramGroups\[0\]:.*lr.*"0.01"/],
    ["lr of null", (sd) => ((sd.paramGroups as Json[])[0].lr = null), /paramGroups\[0\]/],
    ["an infinite lr", (sd) => ((sd.paramGroups as Json[])[0].lr = Infinity), /paramGroups\[0\]: option lr must be finite, got Infinity/],
    ["a beta of NaN", (sd) => ((sd.paramGroups as Json[])[0].betas = [NaN, 0.999]), /paramGroups\[0\]: option betas must be finite/],
    ["an option name in PyTorch's snake_case", (sd) => { const g = (sd.paramGroups as Json[])[0]; g.weight_decay = g.weightDecay; delete g.weightDecay; }, /option "weight_decay" is in the wrong case: a state dict uses camelCase \(weightDecay\)/],
    ["an unknown option", (sd) => ((sd.paramGroups as Json[])[0].momentum = 0.9), /paramGroups\[0\]: unexpected option "momentum"/],
    ["a parameter index that is not an integer", (sd) => ((sd.paramGroups as Json[])[0].params = [0, 1.5, 2, 3, 4]), /paramGroups\[0\]\.params holds 1.5, not a parameter index/],
    ["a parameter index listed twice", (sd) => ((sd.paramGroups as Json[])[0].params = [0, 0, 2, 3, 4]), /parameter index 0 appears more than once/],
    ["a group of the wrong size", (sd) => ((sd.paramGroups as Json[])[0].params = [0, 1]), /paramGroups\[0\] has 2 parameters in the state dict, 4 in the optimizer/],
    ["another optimizer's state dict", (sd) => (sd.optimizer = "SGD"), /the state dict was saved from SGD, not Adam/],
  ];
  for (const [what, corrupt, message] of rows) {
    it(what, () => {
      const { opt } = trainedAdam();
      const sd = copy(opt.stateDict()) as unknown as Json;
      corrupt(sd);
      expectUnchanged(() => JSON.stringify(opt.stateDict()), () => opt.loadStateDict(sd as never), message);
    });
  }

  it("Lookahead's slow weights are checked as tensor data too", () => {
    const p = [tensor([1, 2]).requiresGrad_?.() ?? tensor([1, 2])];
    p[0].requiresGrad = true;
    const opt = new optim.Lookahead(new optim.SGD(p, { lr: 0.1 }));
    const sd = copy(opt.stateDict()) as unknown as Json;
    ((sd.lookahead as Json).slow as Json)["0"] = { shape: [2], data: [1, null] };
    expectUnchanged(() => JSON.stringify(opt.stateDict()), () => opt.loadStateDict(sd as never), /slow weights 0: data\[1\] is null/);
  });
});

describe("scheduler loadStateDict rejects fields out of range and changes nothing", () => {
  const sgd = () => new optim.SGD([tensor([1, 2])], { lr: 0.1, momentum: 0.9 });
  type Make = () => { stateDict(): Json; loadStateDict(s: never): void };
  const rows: [string, Make, (sd: Json) => void, RegExp][] = [
    ["a negative lastEpoch", () => new L.StepLR(sgd(), { stepSize: 2 }), (sd) => (sd.lastEpoch = -2), /StepLR\.loadStateDict: lastEpoch must be an integer >= -1, got -2/],
    ["a fractional lastEpoch", () => new L.StepLR(sgd(), { stepSize: 2 }), (sd) => (sd.lastEpoch = 2.5), /lastEpoch must be an integer >= -1, got 2.5/],
    ["a lastEpoch given as a string", () => new L.StepLR(sgd(), { stepSize: 2 }), (sd) => (sd.lastEpoch = "3"), /lastEpoch must be a number, got "3"/],
    ["a NaN step count (from JSON's \"NaN\")", () => new L.ExponentialLR(sgd(), { gamma: 0.9 }), (sd) => (sd.stepCount = "NaN"), /stepCount must be a non-negative integer, got NaN/],
    ["a step size of 0", () => new L.StepLR(sgd(), { stepSize: 2 }), (sd) => (sd.stepSize = 0), /stepSize must be a positive integer, got 0/],
    ["a negative T_max", () => new L.CosineAnnealingLR(sgd(), { tMax: 10 }), (sd) => (sd.tMax = -1), /tMax must be a positive number, got -1/],
    ["total steps of 0", () => new L.OneCycleLR(sgd(), { maxLr: 0.1, totalSteps: 10 }), (sd) => (sd.totalSteps = 0), /totalSteps must be a positive integer, got 0/],
    ["an unknown CyclicLR mode", () => new L.CyclicLR(sgd(), { baseLr: 0.01, maxLr: 0.1 }), (sd) => (sd.mode = "sawtooth"), /mode must be one of "triangular", "triangular2", "exp_range", got "sawtooth"/],
    ["an unknown plateau mode", () => new L.ReduceLROnPlateau(sgd()), (sd) => (sd.mode = "up"), /mode must be one of "min", "max", got "up"/],
    ["a plateau factor of 1", () => new L.ReduceLROnPlateau(sgd()), (sd) => (sd.factor = 1), /factor must be a number >= 0 and < 1 \(Factor should be < 1.0.\), got 1/],
    ["a base lr that is a string", () => new L.LinearLR(sgd()), (sd) => (sd.baseLrs = ["0.1"]), /baseLrs must be an array of finite numbers, got \["0.1"\]/],
    ["an infinite gamma", () => new L.ExponentialLR(sgd(), { gamma: 0.9 }), (sd) => (sd.gamma = "Infinity"), /gamma must be a finite number >= 0, got Infinity/],
    ["negative patience", () => new L.ReduceLROnPlateau(sgd()), (sd) => (sd.patience = -1), /patience must be a non-negative integer, got -1/],
    ["a missing field", () => new L.StepLR(sgd(), { stepSize: 2 }), (sd) => delete sd.gamma, /missing key gamma/],
    ["an unknown field", () => new L.StepLR(sgd(), { stepSize: 2 }), (sd) => (sd.step_size = 3), /unexpected keys \[step_size\]/],
    ["SequentialLR: a valid first and an invalid second scheduler (the first is not left loaded)", () => {
      const o = sgd();
      return new L.SequentialLR(o, { schedulers: [new L.ConstantLR(o), new L.ExponentialLR(o, { gamma: 0.9 })], milestones: [2] });
    }, (sd) => { const inner = sd.schedulers as Json[]; inner[0].lastEpoch = 7; inner[1].lastEpoch = -5; }, /ExponentialLR\.loadStateDict: lastEpoch must be an integer >= -1, got -5/],
    ["ChainedScheduler: a valid first and an invalid second scheduler", () => {
      const o = sgd();
      return new L.ChainedScheduler(o, { schedulers: [new L.ConstantLR(o), new L.StepLR(o, { stepSize: 2 })] });
    }, (sd) => { const inner = sd.schedulers as Json[]; inner[0].lastEpoch = 7; inner[1].stepSize = 0; }, /StepLR\.loadStateDict: stepSize must be a positive integer, got 0/],
  ];
  for (const [what, make, corrupt, message] of rows) {
    it(what, () => {
      const s = make();
      const sd = copy(s.stateDict());
      corrupt(sd);
      expectUnchanged(() => JSON.stringify(s.stateDict()), () => s.loadStateDict(sd as never), message);
    });
  }
});

/** A checkpoint with its header edited by `edit` (data section kept). */
function rewrite(bytes: Uint8Array, edit: (meta: Record<string, string>, entries: WriteEntry[]) => void, values?: (name: string, v: Float32Array) => void): Uint8Array {
  const { entries, metadata } = parseSafetensorsHeader(bytes);
  const list: WriteEntry[] = entries.map((e) => {
    const v = Float32Array.from({ length: e.size }, (_, i) =>
      e.dtype === "I64" ? new DataView(bytes.buffer, bytes.byteOffset + e.begin).getInt32(8 * i, true) : new DataView(bytes.buffer, bytes.byteOffset + e.begin).getFloat32(4 * i, true),
    );
    values?.(e.name, v);
    return { name: e.name, shape: e.shape, dtype: e.dtype as "F32" | "I64", values: v };
  });
  const meta = { ...metadata };
  edit(meta, list);
  return encodeSafetensors(list, meta);
}

describe("loadCheckpoint rejects a bad checkpoint and changes nothing", () => {
  const setup = () => {
    const { model, opt } = trainedAdam(true);
    const sched = new L.StepLR(opt, { stepSize: 3 });
    return { model, opt, sched, bytes: io.saveCheckpoint({ model, optimizer: opt, scheduler: sched, extra: { epoch: 2 } }) };
  };
  const groups = (meta: Record<string, string>, fn: (g: Json) => void) => {
    const gs = JSON.parse(meta["optimizer.param_groups"]) as Json[];
    fn(gs[0]);
    meta["optimizer.param_groups"] = JSON.stringify(gs);
  };
  const scheduler = (meta: Record<string, string>, fn: (s: Json) => void) => {
    const s = JSON.parse(meta.scheduler) as Json;
    fn(s);
    meta.scheduler = JSON.stringify(s);
  };
  const rows: [string, (bytes: Uint8Array) => Uint8Array, RegExp][] = [
    ["not a checkpoint (no format)", (b) => rewrite(b, (m) => delete m.format), /not a wasmtrain checkpoint: __metadata__\.format is undefined/],
    ["another format version", (b) => rewrite(b, (m) => (m.format = "wasmtrain-checkpoint/9")), /format is "wasmtrain-checkpoint\/9"/],
    ["an unexpected tensor", (b) => rewrite(b, (_, es) => es.push({ name: "optimiser.state.0.step", shape: [], dtype: "F32", values: [1] })), /unexpected tensor "optimiser\.state\.0\.step"/],
    ["a model key missing", (b) => rewrite(b, (_, es) => es.splice(es.findIndex((e) => e.name === "model.0.bias"), 1)), /Missing key\(s\) in state_dict: "0\.bias"/],
    ["a model tensor of another shape", (b) => rewrite(b, (_, es) => { const e = es.find((x) => x.name === "model.0.bias")!; e.shape = [1, 2]; }), /size mismatch for 0\.bias/],
    ["another optimizer class", (b) => rewrite(b, (m) => (m["optimizer.class"] = "SGD")), /the checkpoint's optimizer is SGD, not Adam/],
    ["param_groups that are not JSON", (b) => rewrite(b, (m) => (m["optimizer.param_groups"] = "[{lr: 1}]")), /optimizer\.param_groups is not JSON/],
    ["an option in camelCase", (b) => rewrite(b, (m) => groups(m, (g) => { g.weightDecay = g.weight_decay; delete g.weight_decay; })), /option "weightDecay" is in the wrong case: a checkpoint uses PyTorch's names \(weight_decay\)/],
    ["a group without lr", (b) => rewrite(b, (m) => groups(m, (g) => delete g.lr)), /optimizer\.param_groups\[0\] lacks the option lr/],
    ["lr given as a string", (b) => rewrite(b, (m) => groups(m, (g) => (g.lr = "0.01"))), /param_groups|paramGroups\[0\]/],
    ["an infinite eps (as JSON's \"Infinity\")", (b) => rewrite(b, (m) => groups(m, (g) => (g.eps = "Infinity"))), /option eps must be finite, got Infinity/],
    ["foreach that is not a boolean", (b) => rewrite(b, (m) => groups(m, (g) => (g.foreach = "yes"))), /foreach must be a boolean or null, got "?yes"?/],
    ["capturable true (CUDA only)", (b) => rewrite(b, (m) => groups(m, (g) => (g.capturable = true))), /capturable: true needs CUDA tensors/],
    ["an option PyTorch's Adam does not have", (b) => rewrite(b, (m) => groups(m, (g) => (g.nesterov = false))), /unexpected option "nesterov" for Adam/],
    ["a step that is not 0-d", (b) => rewrite(b, (_, es) => { const e = es.find((x) => x.name === "optimizer.state.0.step")!; e.shape = [1]; }), /optimizer\.state\.0\.step must be a 0-d tensor \(a scalar\), got shape \[1\]/],
    ["a NaN step count", (b) => rewrite(b, () => {}, (n, v) => { if (n === "optimizer.state.1.step") v[0] = NaN; }), /state\[1\]\.step must be a non-negative integer, got NaN/],
    ["a fractional step count", (b) => rewrite(b, () => {}, (n, v) => { if (n === "optimizer.state.1.step") v[0] = 2.5; }), /state\[1\]\.step must be a non-negative integer, got 2.5/],
    ["a missing amsgrad buffer", (b) => rewrite(b, (_, es) => es.splice(es.findIndex((e) => e.name === "optimizer.state.2.max_exp_avg_sq"), 1)), /state\[2\] lacks max_exp_avg_sq/],
    ["a state entry of the wrong kind", (b) => rewrite(b, (_, es) => es.push({ name: "optimizer.state.0.momentum_buffer", shape: [2, 3], dtype: "F32", values: new Float32Array(6) })), /state\[0\] has an unexpected entry momentum_buffer/],
    ["a scheduler key missing", (b) => rewrite(b, (m) => scheduler(m, (s) => delete s.step_size)), /Missing key\(s\) in state_dict: "step_size"/],
    ["a scheduler key unexpected", (b) => rewrite(b, (m) => scheduler(m, (s) => (s.stepSize = 3))), /Unexpected key\(s\) in state_dict: "stepSize"/],
    ["a negative last_epoch", (b) => rewrite(b, (m) => scheduler(m, (s) => (s.last_epoch = -3))), /lastEpoch must be an integer >= -1, got -3/],
    ["a step_size of 0", (b) => rewrite(b, (m) => scheduler(m, (s) => (s.step_size = 0))), /stepSize must be a positive integer, got 0/],
    ["verbose that is not a boolean", (b) => rewrite(b, (m) => scheduler(m, (s) => (s.verbose = 1))), /verbose must be a boolean, got 1/],
    ["no scheduler in the file", (b) => rewrite(b, (m) => delete m.scheduler), /the checkpoint holds no scheduler state/],
    ["no optimizer in the file", (b) => rewrite(b, (m) => delete m["optimizer.param_groups"]), /the checkpoint holds no optimizer state/],
  ];
  for (const [what, corrupt, message] of rows) {
    it(what, () => {
      const { model, opt, sched, bytes } = setup();
      const bad = corrupt(bytes);
      const snapshot = () => JSON.stringify([moduleJson(model), opt.stateDict(), sched.stateDict()]);
      expectUnchanged(snapshot, () => io.loadCheckpoint(bad, { model, optimizer: opt, scheduler: sched }), message);
    });
  }

  it("the unedited checkpoint loads (each row above breaks only what it says)", () => {
    const { model, opt, sched, bytes } = setup();
    expect(io.loadCheckpoint(rewrite(bytes, () => {}), { model, optimizer: opt, scheduler: sched }).extra).toEqual({ epoch: 2 });
  });
});
