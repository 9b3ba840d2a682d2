// Runs the PyTorch 1.13 fixture cases of test/fixtures/ops.json (made by
// test/fixtures/generators/ops.py): each operation's output, and its input gradients of
// sum(out · upstream) against PyTorch's autograd (float32) and against
// float64 central differences.
import { describe, it } from "vitest";
import { F, tensor, Tensor } from "../../src/index.js";
import { expectClose } from "./close.js";
import fixtures from "../fixtures/ops.json" with { type: "json" };

interface Enc {
  shape: number[];
  data: (number | string)[];
}
interface Case {
  name: string;
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  inputs: Enc[];
  out: Enc;
  upstream?: Enc;
  grads?: (Enc | null)[];
  fd?: Enc[];
}

const num = (v: number | string): number => (typeof v === "number" ? v : Number(v === "inf" ? Infinity : v === "-inf" ? -Infinity : v));
const values = (e: Enc): number[] => e.data.map(num);
const toTensor = (e: Enc): Tensor => tensor(values(e), e.shape);

/** The call each case stands for, with this library's names. */
function call(c: Case, xs: Tensor[]): Tensor {
  const [a, b] = xs;
  const k = c.kwargs;
  const dimOpt = (): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    if (k.dim !== undefined && k.dim !== null) o.dim = k.dim;
    if (k.keepdim !== undefined) o.keepdim = k.keepdim;
    return o;
  };
  switch (c.op) {
    case "add":
    case "sub":
      return (F[c.op] as (x: Tensor, y: Tensor | number, o?: { alpha?: number }) => Tensor)(a, c.args.length ? (c.args[0] as number) : b, k.alpha !== undefined ? { alpha: k.alpha as number } : undefined);
    case "mul":
    case "div":
    case "maximum":
    case "minimum":
    case "pow":
      return (F[c.op] as (x: Tensor, y: Tensor | number) => Tensor)(a, c.args.length ? (c.args[0] as number) : b);
    case "where":
      return F.where(tensor(k.cond as number[]), a, c.args.length ? (c.args[0] as number) : b);
    case "gelu":
      return F.gelu(a, k.approximate ? { approximate: k.approximate as "tanh" } : undefined);
    case "leakyRelu":
      return c.args.length ? F.leakyRelu(a, c.args[0] as number) : F.leakyRelu(a);
    case "clamp":
      return F.clamp(a, k as { min?: number; max?: number });
    case "sum":
    case "mean":
    case "amax":
    case "amin":
      return (F[c.op] as (x: Tensor, o: object) => Tensor)(a, dimOpt());
    case "var":
    case "std":
      return (F[c.op] as (x: Tensor, o: object) => Tensor)(a, { ...dimOpt(), correction: k.correction });
    case "norm":
      return F.norm(a, { ...dimOpt(), p: num(k.p as number | string) });
    case "argmax":
    case "argmin":
      return (F[c.op] as (x: Tensor, o: object) => Tensor)(a, dimOpt());
    case "reshape":
      return a.reshape(c.args[0] as number[]);
    case "view":
      return a.view(c.args[0] as number[]);
    case "flatten":
      return c.args.length ? a.flatten(c.args[0] as number) : a.flatten();
    case "squeeze":
      return c.args.length ? a.squeeze(c.args[0] as number) : a.squeeze();
    case "unsqueeze":
      return a.unsqueeze(c.args[0] as number);
    case "transpose":
      return a.transpose(c.args[0] as number, c.args[1] as number);
    case "t":
      return a.t();
    case "permute":
      return a.permute(c.args[0] as number[]);
    case "expand":
      return a.expand(c.args[0] as number[]);
    case "narrow":
      return a.narrow(c.args[0] as number, c.args[1] as number, c.args[2] as number);
    case "cat":
      return F.cat(xs, c.args[0] as number);
    case "stack":
      return F.stack(xs, c.args[0] as number);
    case "split":
    case "chunk": {
      const dim = c.args[1] as number;
      const pieces = c.op === "split" ? a.split(c.args[0] as number | number[], dim) : a.chunk(c.args[0] as number, dim);
      return F.cat(pieces.map((p, i) => p.mul(i + 1)), dim);
    }
    case "indexSelect":
      return a.indexSelect(c.args[0] as number, c.args[1] as number[]);
    case "linear":
      return F.linear(a, b, xs[2]);
    case "layerNorm":
      return F.layerNorm(a, c.args[0] as number[], xs[1], xs[2]);
    default:
      return (F as unknown as Record<string, (...t: Tensor[]) => Tensor>)[c.op](...xs);
  }
}

/** Output tolerance by operation: exact data movement, kernels' polynomial errors, reductions' rounding. */
function outTol(op: string): { rtol: number; atol: number } {
  if (["reshape", "view", "flatten", "squeeze", "unsqueeze", "transpose", "t", "permute", "expand", "narrow", "cat", "stack", "indexSelect", "argmax", "argmin", "amax", "amin", "neg", "abs", "relu", "maximum", "minimum", "clamp", "where"].includes(op)) {
    return { rtol: 0, atol: 0 };
  }
  return { rtol: 2e-6, atol: 2e-6 };
}

export function runCases(title: string, ops: readonly string[]): void {
  const cases = (fixtures.cases as unknown as Case[]).filter((c) => ops.includes(c.op));
  describe(`${title}: PyTorch ${fixtures.torch} forward and backward`, () => {
    it("covers every listed operation", () => {
      for (const op of ops) if (!cases.some((c) => c.op === op)) throw new Error(`no fixture case for ${op}`);
    });
    for (const c of cases) {
      it(c.name, () => {
        const xs = c.inputs.map(toTensor);
        const needGrad = c.grads !== undefined;
        if (needGrad) xs.forEach((x) => x.requiresGrad_());
        const out = call(c, xs);
        expect(out.shape, "shape").toEqual(c.out.shape);
        expectClose(out.data, values(c.out), { ...outTol(c.op), what: `${c.name} output` });
        if (!needGrad) return;
        out.mul(toTensor(c.upstream!)).sum().backward();
        c.grads!.forEach((g, i) => {
          if (g === null) return;
          expectClose(xs[i].grad!.data, values(g), { rtol: 1e-4, atol: 1e-5, what: `${c.name} grad ${i}` });
          if (c.fd) expectClose(xs[i].grad!.data, values(c.fd[i]), { rtol: 1e-3, atol: 2e-4, what: `${c.name} grad ${i} vs float64 central differences` });
        });
      });
    }
  });
}

import { expect } from "vitest";
