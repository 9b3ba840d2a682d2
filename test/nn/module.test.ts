// User-defined modules (PyTorch's __setattr__ registration), the register*
// methods and their errors, containers, PyTorch's repr, shared children in
// state dicts, and nn.utils — against PyTorch 1.13's behaviour recorded in
// test/fixtures/modules.json (make_module_fixtures.py).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nn, ones, parameter, tensor, Tensor, zeros } from "../../src/index.js";

interface Names {
  stateDict: string[];
  namedParameters: string[];
  namedBuffers: string[];
  namedModules: string[];
  namedChildren: string[];
  numParameters: number;
  repr: string;
}
const fixtures = JSON.parse(readFileSync(new URL("../fixtures/modules.json", import.meta.url), "utf8")) as {
  reprs: Record<string, string>;
  net: Names;
  tower: Names;
  twice: Names;
  tied: Names;
  errors: Record<string, { type: string; message: string }>;
};

function names(m: nn.Module): Names {
  return {
    stateDict: Object.keys(m.stateDict()),
    namedParameters: m.namedParameters().map(([k]) => k),
    namedBuffers: m.namedBuffers().map(([k]) => k),
    namedModules: m.namedModules().map(([k]) => k),
    namedChildren: [...m.namedChildren()].map(([k]) => k),
    numParameters: nn.numParameters(m),
    repr: m.toString(),
  };
}

/** PyTorch's Net (make_module_fixtures.py), assigned in the constructor. */
class Net extends nn.Module {
  static override readonly moduleName = "Net";
  fc1: nn.Linear;
  scale: Tensor;
  act: nn.ReLU;
  fc2: nn.Linear;
  offset: Tensor;
  constructor() {
    super();
    this.fc1 = new nn.Linear(4, 8);
    this.scale = parameter(ones([8]));
    this.registerBuffer("steps", zeros([1]));
    this.act = new nn.ReLU();
    this.fc2 = new nn.Linear(8, 3);
    this.offset = parameter(zeros([3]));
    this.registerBuffer("cache", zeros([2]), { persistent: false });
  }
}

/** The same module written with class fields (defined, not assigned). */
class NetFields extends nn.Module {
  static override readonly moduleName = "Net";
  fc1 = new nn.Linear(4, 8);
  scale = parameter(ones([8]));
  steps = this.registerBuffer("steps", zeros([1]));
  act = new nn.ReLU();
  fc2 = new nn.Linear(8, 3);
  offset = parameter(zeros([3]));
  cache = this.registerBuffer("cache", zeros([2]), { persistent: false });
}

class Block extends nn.Module {
  static override readonly moduleName = "Block";
  norm: nn.LayerNorm;
  fc: nn.Linear;
  constructor(d: number) {
    super();
    this.norm = new nn.LayerNorm(d);
    this.fc = new nn.Linear(d, d);
  }
}

class Tower extends nn.Module {
  static override readonly moduleName = "Tower";
  blocks = new nn.ModuleList([new Block(4), new Block(4)]);
  head = new nn.ModuleDict({ out: new nn.Linear(4, 2) });
  bn = new nn.BatchNorm1d(2);
}

class Tied extends nn.Module {
  static override readonly moduleName = "Tied";
  enc = new nn.Linear(3, 3);
  dec = new nn.Linear(3, 3);
  constructor() {
    super();
    (this.dec as { weight: Tensor }).weight = this.enc.weight;
  }
}

describe("user-defined modules register what they assign (PyTorch's names and order)", () => {
  it("constructor assignment: parameters and buffers first, then children, each in assignment order", () => {
    const net = new Net();
    expect(names(net)).toEqual(fixtures.net);
    expect(net.scale).toBeInstanceOf(nn.Parameter);
    expect((net as unknown as { steps: Tensor }).steps).toBeInstanceOf(Tensor);
    expect(net.parameters()).toEqual([net.scale, net.offset, net.fc1.weight, net.fc1.bias, net.fc2.weight, net.fc2.bias]);
  });

  it("class fields register the same way", () => {
    expect(names(new NetFields())).toEqual(fixtures.net);
  });

  it("ModuleList, ModuleDict and nested user modules", () => {
    expect(names(new Tower())).toEqual(fixtures.tower);
  });

  it("tied weights: one parameter under two names, listed once by namedParameters, under both in stateDict", () => {
    const m = new Tied();
    expect(names(m)).toEqual(fixtures.tied);
    expect(m.dec.weight).toBe(m.enc.weight);
  });

  it("a module holding the same child three times lists every path in stateDict (strict-loads PyTorch's dict both ways)", () => {
    const shared = new nn.Linear(2, 3);
    const twice = new nn.Sequential(shared, new nn.ReLU(), shared, new nn.ReLU(), shared);
    expect(names(twice)).toEqual(fixtures.twice);
    const sd = twice.stateDict();
    // A dict keyed as PyTorch's loads strictly; every path writes the one tensor.
    const fresh = new nn.Linear(2, 3);
    const again = new nn.Sequential(fresh, new nn.ReLU(), fresh, new nn.ReLU(), fresh);
    expect(again.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(fresh.weight.toArray()).toEqual(shared.weight.toArray());
    expect(() => again.loadStateDict({ "0.weight": sd["0.weight"], "0.bias": sd["0.bias"] })).toThrow(/Missing key\(s\) in state_dict: "2.weight"/);
  });

  it("instanceof, typeName, subclasses' private fields and getters work through the registration proxy", () => {
    class Scaled extends nn.Module {
      static override readonly moduleName = "Scaled";
      #factor: number;
      inner = new nn.Identity();
      constructor(factor: number) {
        super();
        this.#factor = factor;
      }
      get factor(): number {
        return this.#factor;
      }
      bump(): number {
        return ++this.#factor;
      }
    }
    const s = new Scaled(2);
    expect(s).toBeInstanceOf(Scaled);
    expect(s).toBeInstanceOf(nn.Module);
    expect(s.factor).toBe(2);
    expect(s.bump()).toBe(3);
    expect(s.typeName).toBe("Scaled");
    expect(s.children()).toEqual([s.inner]);
    expect(Object.getPrototypeOf(s)).toBe(Scaled.prototype);
  });

  it("assignment follows PyTorch's __setattr__: plain values stay attributes; reassigning replaces; null clears", () => {
    const net = new Net() as Net & Record<string, unknown>;
    net.note = "hello";
    net.plain = tensor([1, 2]); // a plain tensor is not a parameter
    expect(Object.keys(net.stateDict())).toEqual(fixtures.net.stateDict);
    const fc3 = new nn.Linear(8, 3);
    net.fc2 = fc3;
    expect(net.children()[2]).toBe(fc3);
    expect(net.namedParameters().map(([k]) => k)).toEqual(fixtures.net.namedParameters);
    // A parameter's name takes only parameters or null (PyTorch's TypeError), a plain
    // attribute's name anything: a module there becomes a child.
    expect(() => {
      net.scale = new nn.Identity() as unknown as Tensor;
    }).toThrow("cannot assign 'Identity' as parameter 'scale' (nn.Parameter or null expected)");
    net.note = new nn.Identity();
    expect([...net.namedChildren()].map(([k]) => k)).toEqual(["fc1", "act", "fc2", "note"]);
    // Parameter names accept only parameters or null.
    expect(() => {
      net.offset = tensor([1, 2, 3]);
    }).toThrow("cannot assign 'Tensor' as parameter 'offset' (nn.Parameter or null expected)");
    net.offset = null as unknown as Tensor;
    expect(net.namedParameters().map(([k]) => k)).not.toContain("offset");
    expect(() => {
      net.act = 3 as unknown as nn.ReLU;
    }).toThrow("cannot assign 'number' as child module 'act' (nn.Module or null expected)");
    // A registered buffer takes tensors.
    net.steps = tensor([5]);
    expect(net.stateDict().steps.toArray()).toEqual(new Float32Array([5]));
    expect(() => {
      net.steps = "x";
    }).toThrow("cannot assign 'string' as buffer 'steps' (Tensor or null expected)");
    delete net.fc1;
    expect([...net.namedChildren()].map(([k]) => k)).toEqual(["act", "fc2", "note"]);
    expect(net.fc1).toBeUndefined();
  });

  it("register* check names as PyTorch does (same messages)", () => {
    const m = new nn.Module() as nn.Module & { x?: number };
    m.x = 1;
    const e = fixtures.errors;
    const cases: [string, () => void][] = [
      ["bufferDot", () => m.registerBuffer("a.b", zeros([1]))],
      ["bufferEmpty", () => m.registerBuffer("", zeros([1]))],
      ["bufferExists", () => m.registerBuffer("x", zeros([1]))],
      ["bufferMethod", () => m.registerBuffer("forward", zeros([1]))],
      ["parameterDot", () => m.registerParameter("a.b", null)],
      ["parameterEmpty", () => m.registerParameter("", null)],
      ["parameterExists", () => m.registerParameter("x", null)],
      ["moduleDot", () => m.registerModule("a.b", new nn.ReLU())],
      ["moduleEmpty", () => m.registerModule("", new nn.ReLU())],
      ["moduleExists", () => m.registerModule("x", new nn.ReLU())],
    ];
    for (const [key, fn] of cases) {
      expect(e[key].type).toBe("KeyError");
      expect(fn, key).toThrow(e[key].message);
      expect(fn, key).toThrow(nn.KeyError);
    }
    // TypeErrors name our type words instead of Python's ('int', 'torch Tensor or None').
    expect(e.bufferNotTensor.message).toBe("cannot assign 'int' object to buffer 'y' (torch Tensor or None required)");
    expect(() => m.registerBuffer("y", 3 as unknown as Tensor)).toThrow("cannot assign 'number' object to buffer 'y' (Tensor or null required)");
    expect(() => m.registerModule("z", {} as nn.Module)).toThrow(TypeError);
    // Nothing was registered by the failed calls.
    expect(m.stateDict()).toEqual({});
    expect(m.children()).toEqual([]);
  });

  it("registerParameter makes a leaf a parameter; this[name] reads what was registered", () => {
    const m = new nn.Module() as nn.Module & { w?: Tensor; b?: Tensor | null; avg?: Tensor };
    const w = tensor([1, 2]);
    m.registerParameter("w", w);
    m.registerParameter("b", null);
    m.registerBuffer("avg", zeros([2]));
    expect(m.w).toBe(w);
    expect(m.b).toBe(null);
    expect(w.requiresGrad).toBe(true);
    expect(w).toBeInstanceOf(nn.Parameter);
    expect(m.namedParameters().map(([k]) => k)).toEqual(["w"]);
    expect(Object.keys(m.stateDict())).toEqual(["w", "avg"]);
  });

  it("a subclass's field declared without initializer (undefined) leaves what its base registered", () => {
    class Base extends nn.Module {
      static override readonly moduleName = "Base";
      constructor() {
        super();
        this.registerModule("fc", new nn.Linear(2, 2));
        this.registerBuffer("steps", zeros([1]));
      }
    }
    class Derived extends Base {
      static override readonly moduleName = "Derived";
      declare fc: nn.Linear;
      steps: Tensor = undefined as unknown as Tensor;
    }
    const d = new Derived();
    expect(Object.keys(d.stateDict())).toEqual(["steps", "fc.weight", "fc.bias"]);
    expect(d.steps).toBeInstanceOf(Tensor);
  });

  it("clone() of a user module is a registered, independent copy", () => {
    const net = new Net();
    const copy = net.clone();
    expect(copy).toBeInstanceOf(Net);
    expect(names(copy)).toEqual(fixtures.net);
    expect(copy.fc1).not.toBe(net.fc1);
    expect(copy.parameters()[0]).toBe(copy.scale);
    copy.fc2 = new nn.Linear(8, 3);
    expect(copy.children()[2]).toBe(copy.fc2);
    expect(net.children()[2]).toBe(net.fc2);
  });
});

describe("containers", () => {
  it("ModuleList: iterable, length, at, append, extend; indices as names", () => {
    const a = new nn.Linear(2, 2);
    const b = new nn.ReLU();
    const list = new nn.ModuleList([a]);
    expect(list.append(b)).toBe(list);
    expect(list.length).toBe(2);
    expect([...list]).toEqual([a, b]);
    expect(list.at(-1)).toBe(b);
    expect((list as unknown as Record<string, nn.Module>)["0"]).toBe(a);
    list.extend([new nn.Tanh()]);
    expect(list.namedModules().map(([k]) => k)).toEqual(["", "0", "1", "2"]);
    expect(() => list.append(3 as unknown as nn.Module)).toThrow(TypeError);
    expect(() => new nn.ModuleList([a, {} as nn.Module])).toThrow(/element 1 is not a Module/);
  });

  it("ModuleDict: get, keys, has, set, delete; iteration gives the keys in insertion order", () => {
    const relu = new nn.ReLU();
    const d = new nn.ModuleDict({ act: relu, fc: new nn.Linear(1, 1) });
    expect(d.get("act")).toBe(relu);
    expect(d.keys()).toEqual(["act", "fc"]);
    expect([...d]).toEqual(["act", "fc"]);
    expect(d.has("fc")).toBe(true);
    d.set("out", new nn.Sigmoid());
    expect(Object.keys(d.stateDict())).toEqual(["fc.weight", "fc.bias"]);
    expect(d.delete("fc")).toBeInstanceOf(nn.Linear);
    expect(d.keys()).toEqual(["act", "out"]);
    expect(d.size).toBe(2);
    expect(() => d.set("keys", new nn.ReLU())).toThrow("attribute 'keys' already exists");
  });

  it("Identity returns its input", () => {
    const x = tensor([1, 2, 3]);
    expect(new nn.Identity(54, { unused: true }).forward(x)).toBe(x);
  });
});

describe("toString() is PyTorch's repr", () => {
  const make: Record<string, () => nn.Module> = {
    linear: () => new nn.Linear(784, 256),
    linearNoBias: () => new nn.Linear(3, 2, { bias: false }),
    relu: () => new nn.ReLU(),
    leakyRelu: () => new nn.LeakyReLU(),
    "leakyRelu0.2": () => new nn.LeakyReLU({ negativeSlope: 0.2 }),
    tanh: () => new nn.Tanh(),
    sigmoid: () => new nn.Sigmoid(),
    gelu: () => new nn.GELU(),
    geluTanh: () => new nn.GELU({ approximate: "tanh" }),
    dropout: () => new nn.Dropout(),
    "dropout0.1": () => new nn.Dropout({ p: 0.1 }),
    batchnorm: () => new nn.BatchNorm1d(4),
    batchnormNoStats: () => new nn.BatchNorm1d(4, { eps: 1e-3, momentum: null, affine: false, trackRunningStats: false }),
    layernorm: () => new nn.LayerNorm(4),
    layernorm2d: () => new nn.LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }),
    flatten: () => new nn.Flatten(),
    flatten02: () => new nn.Flatten({ startDim: 0, endDim: 2 }),
    identity: () => new nn.Identity(),
    mse: () => new nn.MSELoss(),
    crossEntropy: () => new nn.CrossEntropyLoss(),
    sequential: () => new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10)),
    nested: () =>
      new nn.Sequential(
        new nn.Sequential(new nn.Linear(2, 2), new nn.Tanh()),
        new nn.ModuleList([new nn.ReLU(), new nn.Identity()]),
        new nn.ModuleDict({ a: new nn.Linear(1, 1), b: new nn.Sigmoid() }),
      ),
    moduleList: () => new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2), new nn.ReLU()]),
    moduleDict: () => new nn.ModuleDict({ act: new nn.ReLU(), fc: new nn.Linear(1, 1) }),
    emptySequential: () => new nn.Sequential(),
  };
  for (const [key, build] of Object.entries(make)) {
    it(key, () => {
      expect(build().toString()).toBe(fixtures.reprs[key]);
    });
  }
  it("String(model) and template literals use it; a user module's extraRepr shows", () => {
    class Scale extends nn.Module {
      static override readonly moduleName = "Scale";
      override extraRepr(): string {
        return "factor=2.0";
      }
    }
    expect(`${new Scale()}`).toBe("Scale(factor=2.0)");
    expect(String(new nn.Sequential(new Scale()))).toBe("Sequential(\n  (0): Scale(factor=2.0)\n)");
  });
});

describe("nn.utils", () => {
  it("parametersToVector concatenates in order; vectorToParameters writes back", () => {
    const m = new nn.Linear(3, 2);
    const v = nn.utils.parametersToVector(m.parameters());
    expect(v.shape).toEqual([8]);
    expect(v.toArray()).toEqual(new Float32Array([...m.weight.toArray(), ...m.bias!.toArray()]));
    const values = tensor([1, 2, 3, 4, 5, 6, 7, 8]);
    nn.utils.vectorToParameters(values, m.parameters());
    expect(m.weight.toArray()).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
    expect(m.bias!.toArray()).toEqual(new Float32Array([7, 8]));
    expect(() => nn.utils.vectorToParameters(tensor([1, 2]), m.parameters())).toThrow(/hold 8 values but vec has 2/);
    expect(() => nn.utils.vectorToParameters([1] as unknown as Tensor, m.parameters())).toThrow(TypeError);
    expect(m.weight.toArray()).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
  });

  it("parametersToVector is differentiable: gradients reach every parameter", () => {
    const m = new nn.Linear(3, 2);
    const v = nn.utils.parametersToVector(m.parameters());
    const loss = new nn.MSELoss({ reduction: "sum" }).forward(v, zeros([8]));
    loss.backward();
    // d/dv Σ v² = 2v.
    expect(m.weight.grad!.toArray()).toEqual(m.weight.toArray().map((x) => 2 * x));
    expect(m.bias!.grad!.toArray()).toEqual(m.bias!.toArray().map((x) => 2 * x));
  });

  it("numParameters counts each parameter once; trainableOnly skips frozen ones", () => {
    const m = new Net();
    expect(nn.numParameters(m)).toBe(fixtures.net.numParameters);
    m.fc1.weight.requiresGrad = false;
    expect(nn.numParameters(m, { trainableOnly: true })).toBe(fixtures.net.numParameters - 32);
    expect(nn.utils.numParameters(m)).toBe(fixtures.net.numParameters);
  });
});
