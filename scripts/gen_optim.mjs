#!/usr/bin/env node
// Generates assembly/optim_rules.ts: every optimizer rule's fused update
// (SGD, Adam/AdamW, Adagrad, RMSprop, Adamax, NAdam, RAdam, Adadelta) from one
// template. The arithmetic contract and the subnormal handling are described
// in assembly/optim.ts; the lane helpers are assembly/optim_lanes.ts.
//
// A rule's constants are splatted once per call (V8 re-splats a scalar inside
// a loop) and passed by value through every function of its fast and slow
// paths, so the parameter lists are long; they are written once here: LEGEND
// maps every short name to the algorithm box of src/optim/<rule>.ts, and a
// rule lists the names it takes. What a rule writes by hand is only its
// element math (the `at`, `vec`, `front`/`back` bodies below); the loops that
// call it (the fast loop, the slow path for tiny values, the tails), the
// specialised copies of the fast loop (`runs`) and the exported step function
// over the table come from the templates. Adding an option means one LEGEND
// entry, its use in the element math and perhaps one `runs` entry.
//
//   node scripts/gen_optim.mjs
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Short name → what it is (the algorithm boxes' symbols). One legend for every rule. */
const LEGEND = {
  lr: "lr, the learning rate",
  ss: "lr/(1 − β1ᵗ), Adam's step size (row t0)",
  rb2: "1/√(1 − β2ᵗ), Adam's second-moment correction (row t1)",
  clr: "the step's learning rate: lr/(1 + (t − 1)·lrDecay) (Adagrad), lr/(1 − β1ᵗ) (Adamax) (row t0)",
  b1: "β1",
  omb1: "1 − β1",
  b2: "β2 (Adamax: the decay of u)",
  omb2: "1 − β2",
  b2d: "β2 in float64 lanes (a tiny group's v update)",
  omb2d: "1 − β2 in float64 lanes",
  rbc1: "1/(1 − β1ᵗ) (RAdam, row t0)",
  rbc2: "1/(1 − β2ᵗ) (NAdam, row t0)",
  sbc2: "√(1 − β2ᵗ) (RAdam, row t3)",
  c1: "lr·(1 − μt)/(1 − Πμ), NAdam's gradient step (row t1)",
  c2: "lr·μt+1/(1 − Πμ·μt+1), NAdam's momentum step (row t2)",
  rect: "RAdam's rectification r (row t2; 0 while ρt ≤ 5)",
  momentum: "μ, the momentum",
  omd: "1 − dampening",
  alpha: "α, RMSprop's smoothing constant",
  oma: "1 − α",
  rho: "ρ, Adadelta's decay",
  omr: "1 − ρ",
  eps: "ε",
  wd: "λ, L2 weight decay added to the gradient (0: none; AdamW: 0)",
  decay: "1 − lr·λ, AdamW's decoupled decay of θ (1 for Adam)",
  gSign: "−1 with maximize, else 1",
  k: "2^31 − 1, the tiny checks' bias (see optimAbsMask)",
  gLimit: "the tiny-gradient limit 2^-50, biased",
  sLimit: "the tiny-state limit 2^-80, biased",
};

/** How the step function makes the constants every rule with a float64 path takes. */
const TINY = [
  ["k", "i32x4.splat(optimAbsMask)"],
  ["gLimit", "i32x4.splat(optimAbsMask + TINY_GRAD_BITS)"],
  ["sLimit", "i32x4.splat(optimAbsMask + TINY_STATE_BITS)"],
];
const splat = (name, from = `${name}_`) => [name, `f32x4.splat(${from})`];
const row = (name, slot) => [name, `f32x4.splat(e${slot}(e))`, true];

/**
 * The rules. Fields:
 * - box: the update (comment lines); ptrs: [pointer, table accessor] after p and g;
 * - checked: the squared-gradient state checked for tiny values (none: no float64 path);
 * - consts: [short name, how the step makes it, per tensor?] in the order passed;
 * - params: the exported step's scalar parameters; bools / rowBools: switches per call / per tensor;
 * - flags: the element math's switches; signed: the fast path also skips ·gSign when it is 1;
 * - fast: "plain" (no float64 path), "at" (the fast loop runs `at` on float32 lanes),
 *   "vec" (a float32 `vec` body taking the loaded vectors), "pipelined" (`front`/`back`, see adamRun);
 * - slow: "promote" (a tiny group in float64 lanes: `at<T, W>`) or "wide" (`at<W>` with a flag, Adam);
 * - runs: the specialised fast loops, tried in order (`when`), with their switch values.
 */
const RULES = [
  {
    name: "sgd",
    box: [
      "SGD: d = gSign·g (+ wd·p); buf = first ? d : momentum·buf + (1 − dampening)·d;",
      "d = nesterov ? d + momentum·buf : buf; p = p − lr·d. No squares: it meets",
      "subnormals only where its inputs already are, so it has no float64 path.",
    ],
    ptrs: [["b", "eS0"]],
    consts: [splat("lr"), splat("momentum"), splat("omd"), splat("wd"), splat("gSign")],
    params: "lr_: f32, momentum_: f32, omd_: f32, wd_: f32, gSign_: f32, nesterov_: i32",
    bools: "const hasWd = wd_ != 0, hasMomentum = momentum_ != 0, nesterov = nesterov_ != 0;",
    rowBools: "const first = eT0(e) != 0;",
    flags: ["hasWd", "hasMomentum", "first", "nesterov", "signed", "damped"],
    fast: "plain",
    runs: [
      {
        name: "MomentumPlain", when: "!hasWd && hasMomentum && !first && !nesterov && gSign_ == 1 && omd_ == 1",
        switches: "false, true, false, false, false, false",
      },
      { name: "Momentum", when: "!hasWd && hasMomentum && !first && !nesterov", switches: "false, true, false, false, true, true" },
      { name: "Plain", when: "!hasWd && !hasMomentum", switches: "false, false, false, false, true, true" },
      {
        name: "First", when: "first", params: "hasWd: bool, hasMomentum: bool, nesterov: bool", args: "hasWd, hasMomentum, nesterov",
        switches: "hasWd, hasMomentum, true, nesterov, true, true",
      },
      {
        name: "General", params: "hasWd: bool, hasMomentum: bool, nesterov: bool", args: "hasWd, hasMomentum, nesterov",
        switches: "hasWd, hasMomentum, false, nesterov, true, true",
      },
    ],
    at: `
  const pv = ld<f32, W>(p);
  let d = ld<f32, W>(g);
  if (signed) d = f32x4.mul(d, gSign);
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  if (hasMomentum) {
    const buf = first ? d : f32x4.add(f32x4.mul(momentum, ld<f32, W>(b)), damped ? f32x4.mul(omd, d) : d);
    st<f32, W>(b, buf);
    d = nesterov ? f32x4.add(d, f32x4.mul(momentum, buf)) : buf;
  }
  st<f32, W>(p, f32x4.sub(pv, f32x4.mul(lr, d)));`,
  },
  {
    name: "adam",
    box: [
      "Adam / AdamW (AMSGrad): p = decay·p (AdamW); d = gSign·g (+ wd·p, Adam's L2);",
      "m = β1·m + (1−β1)·d; v = β2·v + ((1−β2)·d)·d; v̂ = amsgrad ? vmax = max(vmax, v) : v;",
      "p = p − (ss·m)/(√v̂·rb2 + eps). In a tiny group only v's update is computed in",
      "float64 (rounded once); √v̂ is taken on an exactly rescaled operand (same bits",
      "as the float32 square root, no subnormal operand); everything else is the",
      "float32 path, whose operands are then all normal.",
    ],
    ptrs: [["m", "eS0"], ["v", "eS1"], ["x", "eS2"]],
    checked: ["v"],
    consts: [
      row("ss", "T0"), row("rb2", "T1"), splat("b1"), splat("omb1"), splat("b2"), splat("omb2"),
      ["b2d", "f64x2.splat(<f64>b2_)"], ["omb2d", "f64x2.splat(<f64>omb2_)"], splat("eps"), splat("wd"), splat("decay"),
      splat("gSign"), ...TINY,
    ],
    params: "b1_: f32, omb1_: f32, b2_: f32, omb2_: f32, eps_: f32, wd_: f32, decay_: f32, gSign_: f32, amsgrad: i32",
    bools: "const ams = amsgrad != 0, hasWd = wd_ != 0, hasDecay = decay_ != 1, signed = gSign_ != 1;",
    flags: ["hasWd", "hasDecay", "amsgrad"],
    signed: true,
    fast: "pipelined",
    slow: "wide",
    runs: [
      { name: "Plain", when: "!ams && !hasWd && !hasDecay && !signed", switches: "false, false, false, false" },
      { name: "Decay", when: "!ams && !hasWd && hasDecay && !signed", switches: "false, true, false, false" },
      { name: "Wd", when: "!ams && hasWd && !hasDecay", switches: "true, false, false, true" },
      { name: "General", params: "hasWd: bool, hasDecay: bool, amsgrad: bool", args: "hasWd, hasDecay, ams", switches: "hasWd, hasDecay, amsgrad, true" },
    ],
    helpers: `
/**
 * √x for x >= 0 without a subnormal operand: lanes below 2^-60 are scaled by
 * 2^64 exactly (subnormals through an integer conversion of their bits), the
 * root taken and scaled back by 2^-32. Both roots are normal, so this is the
 * float32 square root, bit for bit.
 */
@inline function sqrtNoSubnormal(x: v128): v128 {
  const subnormal = i32x4.lt_s(x, i32x4.splat(0x00800000));
  const small = i32x4.lt_s(x, i32x4.splat((127 - 60) << 23));
  const fromSubnormal = f32x4.mul(f32x4.convert_i32x4_s(x), f32x4.splat(<f32>2.5849394142282115e-26)); // 2^-85
  const fromNormal = i32x4.add(x, i32x4.splat(64 << 23));
  const scaled = v128.bitselect(fromSubnormal, v128.bitselect(fromNormal, x, small), subnormal);
  return f32x4.mul(f32x4.sqrt(scaled), v128.bitselect(f32x4.splat(<f32>2.3283064365386963e-10), f32x4.splat(1), small)); // 2^-32
}

/** β·s + ((1−β)·d)·d evaluated in float64 and rounded once (the tiny-group form of a squared moment). */
@inline function squareMomentF64(b: v128, c: v128, s: v128, d: v128): v128 {
  const dl = f64x2.promote_low_f32x4(d), dh = f64x2.promote_low_f32x4(v128.shuffle<f32>(d, d, 2, 3, 0, 1));
  const sl = f64x2.promote_low_f32x4(s), sh = f64x2.promote_low_f32x4(v128.shuffle<f32>(s, s, 2, 3, 0, 1));
  const lo = f64x2.add(f64x2.mul(b, sl), f64x2.mul(f64x2.mul(c, dl), dl));
  const hi = f64x2.add(f64x2.mul(b, sh), f64x2.mul(f64x2.mul(c, dh), dh));
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}
`,
    at: `
  let pv = ld<f32, W>(p);
  if (hasDecay) pv = f32x4.mul(pv, decay);
  let d = f32x4.mul(gv, gSign);
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const mNew = f32x4.add(f32x4.mul(b1, ld<f32, W>(m)), f32x4.mul(omb1, d));
  st<f32, W>(m, mNew);
  let vNew: v128, root: v128;
  if (wide) {
    vNew = squareMomentF64(b2d, omb2d, vv, d);
    st<f32, W>(v, vNew);
    if (amsgrad) {
      vNew = f32x4.max(ld<f32, W>(x), vNew);
      st<f32, W>(x, vNew);
    }
    root = sqrtNoSubnormal(vNew);
  } else {
    vNew = f32x4.add(f32x4.mul(b2, vv), f32x4.mul(f32x4.mul(omb2, d), d));
    st<f32, W>(v, vNew);
    if (amsgrad) {
      vNew = f32x4.max(ld<f32, W>(x), vNew);
      st<f32, W>(x, vNew);
    }
    root = f32x4.sqrt(vNew);
  }
  const denom = f32x4.add(f32x4.mul(root, rb2), eps);
  st<f32, W>(p, f32x4.sub(pv, f32x4.div(f32x4.mul(ss, mNew), denom)));`,
    front: `
  let d = signed ? f32x4.mul(gv, gSign) : gv;
  if (hasWd) {
    let pv = v128.load(p);
    if (hasDecay) pv = f32x4.mul(pv, decay);
    d = f32x4.add(d, f32x4.mul(wd, pv));
  }
  const mNew = f32x4.add(f32x4.mul(b1, v128.load(m)), f32x4.mul(omb1, d));
  v128.store(m, mNew);
  let vNew = f32x4.add(f32x4.mul(b2, vv), f32x4.mul(f32x4.mul(omb2, d), d));
  v128.store(v, vNew);
  if (amsgrad) {
    vNew = f32x4.max(v128.load(x), vNew);
    v128.store(x, vNew);
  }
  return f32x4.sqrt(vNew);`,
    back: `
  let pv = v128.load(p);
  if (hasDecay) pv = f32x4.mul(pv, decay);
  const denom = f32x4.add(f32x4.mul(r, rb2), eps);
  v128.store(p, f32x4.sub(pv, f32x4.div(f32x4.mul(ss, v128.load(m)), denom)));`,
  },
  {
    name: "adagrad",
    box: ["Adagrad: d = gSign·g (+ wd·p); sum = sum + d·d; p = p − (clr·d)/(√sum + eps)."],
    ptrs: [["s", "eS0"]],
    checked: ["s"],
    consts: [row("clr", "T0"), splat("eps"), splat("wd"), splat("gSign"), ...TINY],
    params: "eps_: f32, wd_: f32, gSign_: f32",
    bools: "const hasWd = wd_ != 0, signed = gSign_ != 1;",
    flags: ["hasWd"],
    signed: true,
    fast: "vec",
    slow: "promote",
    runs: [
      { name: "Wd", when: "hasWd", switches: "true, true" },
      { name: "Signed", when: "signed", switches: "false, true" },
      { name: "Plain", switches: "false, false" },
    ],
    at: `
  const pv = ld<T, W>(p);
  let d = vmul<T>(ld<T, W>(g), lanes<T>(gSign));
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const sum = rnd<T>(vadd<T>(ld<T, W>(s), vmul<T>(d, d)));
  st<T, W>(s, sum);
  st<T, W>(p, vsub<T>(pv, vdiv<T>(vmul<T>(lanes<T>(clr), d), vadd<T>(vsqrt<T>(sum), lanes<T>(eps)))));`,
    vec: `
  const pv = v128.load(p);
  let d = signed ? f32x4.mul(gv, gSign) : gv;
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const sum = f32x4.add(sv, f32x4.mul(d, d));
  v128.store(s, sum);
  v128.store(p, f32x4.sub(pv, f32x4.div(f32x4.mul(clr, d), f32x4.add(f32x4.sqrt(sum), eps))));`,
  },
  {
    name: "rmsprop",
    box: [
      "RMSprop: d = gSign·g (+ wd·p); sq = α·sq + ((1−α)·d)·d;",
      "centered: ga = α·ga + (1−α)·d, avg = √(sq − ga·ga) + eps; else avg = √sq + eps;",
      "momentum > 0: buf = μ·buf + d/avg, p = p − lr·buf; else p = p − (lr·d)/avg.",
      "q = square_avg, a = grad_avg (centered), b = momentum_buffer.",
    ],
    ptrs: [["q", "eS0"], ["a", "eS1"], ["b", "eS2"]],
    checked: ["q"],
    consts: [splat("lr"), splat("alpha"), splat("oma"), splat("eps"), splat("wd"), splat("gSign"), splat("momentum"), ...TINY],
    params: "lr_: f32, alpha_: f32, oma_: f32, eps_: f32, wd_: f32, gSign_: f32, momentum_: f32, centered_: i32",
    bools: "const hasWd = wd_ != 0, centered = centered_ != 0, hasMomentum = momentum_ > 0, signed = gSign_ != 1;",
    flags: ["hasWd", "centered", "hasMomentum"],
    signed: true,
    fast: "vec",
    slow: "promote",
    runs: [
      { name: "Plain", when: "!hasWd && !centered && !hasMomentum && !signed", switches: "false, false, false, false" },
      { name: "Momentum", when: "!hasWd && !centered && hasMomentum && !signed", switches: "false, false, true, false" },
      {
        name: "General", params: "hasWd: bool, centered: bool, hasMomentum: bool", args: "hasWd, centered, hasMomentum",
        switches: "hasWd, centered, hasMomentum, true",
      },
    ],
    at: `
  const pv = ld<T, W>(p);
  let d = vmul<T>(ld<T, W>(g), lanes<T>(gSign));
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const sq = rnd<T>(vadd<T>(vmul<T>(lanes<T>(alpha), ld<T, W>(q)), vmul<T>(vmul<T>(lanes<T>(oma), d), d)));
  st<T, W>(q, sq);
  let avg: v128;
  if (centered) {
    const ga = rnd<T>(vadd<T>(vmul<T>(lanes<T>(alpha), ld<T, W>(a)), vmul<T>(lanes<T>(oma), d)));
    st<T, W>(a, ga);
    avg = vadd<T>(vsqrt<T>(vsub<T>(sq, vmul<T>(ga, ga))), lanes<T>(eps));
  } else {
    avg = vadd<T>(vsqrt<T>(sq), lanes<T>(eps));
  }
  if (hasMomentum) {
    const buf = rnd<T>(vadd<T>(vmul<T>(lanes<T>(momentum), ld<T, W>(b)), vdiv<T>(d, avg)));
    st<T, W>(b, buf);
    st<T, W>(p, vsub<T>(pv, vmul<T>(lanes<T>(lr), buf)));
  } else {
    st<T, W>(p, vsub<T>(pv, vdiv<T>(vmul<T>(lanes<T>(lr), d), avg)));
  }`,
    vec: `
  const pv = v128.load(p);
  let d = signed ? f32x4.mul(gv, gSign) : gv;
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const sq = f32x4.add(f32x4.mul(alpha, qv), f32x4.mul(f32x4.mul(oma, d), d));
  v128.store(q, sq);
  let avg: v128;
  if (centered) {
    const ga = f32x4.add(f32x4.mul(alpha, v128.load(a)), f32x4.mul(oma, d));
    v128.store(a, ga);
    avg = f32x4.add(f32x4.sqrt(f32x4.sub(sq, f32x4.mul(ga, ga))), eps);
  } else {
    avg = f32x4.add(f32x4.sqrt(sq), eps);
  }
  if (hasMomentum) {
    const buf = f32x4.add(f32x4.mul(momentum, v128.load(b)), f32x4.div(d, avg));
    v128.store(b, buf);
    v128.store(p, f32x4.sub(pv, f32x4.mul(lr, buf)));
  } else {
    v128.store(p, f32x4.sub(pv, f32x4.div(f32x4.mul(lr, d), avg)));
  }`,
  },
  {
    name: "adamax",
    box: [
      "Adamax: d = gSign·g (+ wd·p); m = β1·m + (1−β1)·d; u = max(β2·u, |d| + eps);",
      "p = p − (clr·m)/u. No squares, and u >= eps: it meets subnormals only where",
      "its inputs already are, so it has no float64 path.",
    ],
    ptrs: [["m", "eS0"], ["u", "eS1"]],
    consts: [row("clr", "T0"), splat("b1"), splat("omb1"), splat("b2"), splat("eps"), splat("wd"), splat("gSign")],
    params: "b1_: f32, omb1_: f32, b2_: f32, eps_: f32, wd_: f32, gSign_: f32",
    bools: "const hasWd = wd_ != 0, signed = gSign_ != 1;",
    flags: ["hasWd", "signed"],
    fast: "plain",
    runs: [
      { name: "Plain", when: "!hasWd && !signed", switches: "false, false" },
      { name: "General", params: "hasWd: bool", args: "hasWd", switches: "hasWd, true" },
    ],
    at: `
  const pv = ld<f32, W>(p);
  let d = ld<f32, W>(g);
  if (signed) d = f32x4.mul(d, gSign);
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const mNew = f32x4.add(f32x4.mul(b1, ld<f32, W>(m)), f32x4.mul(omb1, d));
  const uNew = f32x4.max(f32x4.mul(b2, ld<f32, W>(u)), f32x4.add(f32x4.abs(d), eps));
  st<f32, W>(m, mNew);
  st<f32, W>(u, uNew);
  st<f32, W>(p, f32x4.sub(pv, f32x4.div(f32x4.mul(clr, mNew), uNew)));`,
  },
  {
    name: "nadam",
    box: [
      "NAdam: d = g (+ wd·p); m = β1·m + (1−β1)·d; v = β2·v + ((1−β2)·d)·d;",
      "denom = √(v · rbc2) + eps; p = p − (c1·d)/denom; p = p − (c2·m)/denom.",
    ],
    ptrs: [["m", "eS0"], ["v", "eS1"]],
    checked: ["v"],
    consts: [
      row("rbc2", "T0"), row("c1", "T1"), row("c2", "T2"), splat("b1"), splat("omb1"), splat("b2"), splat("omb2"),
      splat("eps"), splat("wd"), ...TINY,
    ],
    params: "b1_: f32, omb1_: f32, b2_: f32, omb2_: f32, eps_: f32, wd_: f32",
    bools: "const hasWd = wd_ != 0;",
    flags: ["hasWd"],
    fast: "at",
    slow: "promote",
    runs: [
      { name: "Wd", when: "hasWd", switches: "true" },
      { name: "Plain", switches: "false" },
    ],
    at: `
  let pv = ld<T, W>(p);
  let d = ld<T, W>(g);
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const mNew = rnd<T>(vadd<T>(vmul<T>(lanes<T>(b1), ld<T, W>(m)), vmul<T>(lanes<T>(omb1), d)));
  const vNew = rnd<T>(vadd<T>(vmul<T>(lanes<T>(b2), ld<T, W>(v)), vmul<T>(vmul<T>(lanes<T>(omb2), d), d)));
  st<T, W>(m, mNew);
  st<T, W>(v, vNew);
  const denom = rnd<T>(vadd<T>(vsqrt<T>(rnd<T>(vmul<T>(vNew, lanes<T>(rbc2)))), lanes<T>(eps)));
  pv = rnd<T>(vsub<T>(pv, vdiv<T>(vmul<T>(lanes<T>(c1), d), denom)));
  st<T, W>(p, vsub<T>(pv, vdiv<T>(vmul<T>(lanes<T>(c2), mNew), denom)));`,
  },
  {
    name: "radam",
    box: [
      "RAdam: d = g (+ wd·p); m = β1·m + (1−β1)·d; v = β2·v + ((1−β2)·d)·d; m̂ = m·rbc1;",
      "rect > 0: p = p − ((m̂·lr)·(sbc2/(√v + eps)))·rect;  else p = p − m̂·lr.",
    ],
    ptrs: [["m", "eS0"], ["v", "eS1"]],
    checked: ["v"],
    consts: [
      row("rbc1", "T0"), row("lr", "T1"), row("rect", "T2"), row("sbc2", "T3"), splat("b1"), splat("omb1"), splat("b2"),
      splat("omb2"), splat("eps"), splat("wd"), ...TINY,
    ],
    params: "b1_: f32, omb1_: f32, b2_: f32, omb2_: f32, eps_: f32, wd_: f32",
    bools: "const hasWd = wd_ != 0;",
    rowBools: "const rectified = eT2(e) > 0;",
    flags: ["hasWd", "rectified"],
    fast: "at",
    slow: "promote",
    runs: [
      { name: "Rectified", when: "!hasWd && rectified", switches: "false, true" },
      { name: "General", params: "hasWd: bool, rectified: bool", args: "hasWd, rectified", switches: "hasWd, rectified" },
    ],
    at: `
  const pv = ld<T, W>(p);
  let d = ld<T, W>(g);
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const mNew = rnd<T>(vadd<T>(vmul<T>(lanes<T>(b1), ld<T, W>(m)), vmul<T>(lanes<T>(omb1), d)));
  const vNew = rnd<T>(vadd<T>(vmul<T>(lanes<T>(b2), ld<T, W>(v)), vmul<T>(vmul<T>(lanes<T>(omb2), d), d)));
  st<T, W>(m, mNew);
  st<T, W>(v, vNew);
  const ml = rnd<T>(vmul<T>(rnd<T>(vmul<T>(mNew, lanes<T>(rbc1))), lanes<T>(lr)));
  if (rectified) {
    const adaptive = rnd<T>(vdiv<T>(lanes<T>(sbc2), vadd<T>(vsqrt<T>(vNew), lanes<T>(eps))));
    st<T, W>(p, vsub<T>(pv, vmul<T>(rnd<T>(vmul<T>(ml, adaptive)), lanes<T>(rect))));
  } else {
    st<T, W>(p, vsub<T>(pv, ml));
  }`,
  },
  {
    name: "adadelta",
    box: [
      "Adadelta: d = gSign·g (+ wd·p); sq = ρ·sq + ((1−ρ)·d)·d; δ = √((acc + eps)/(sq + eps))·d",
      "(one square root instead of PyTorch's two and a division: equal up to float32 rounding);",
      "acc = ρ·acc + ((1−ρ)·δ)·δ; p = p − lr·δ. q = square_avg, a = acc_delta.",
    ],
    ptrs: [["q", "eS0"], ["a", "eS1"]],
    checked: ["q", "a"],
    consts: [splat("lr"), splat("rho"), splat("omr"), splat("eps"), splat("wd"), splat("gSign"), ...TINY],
    params: "lr_: f32, rho_: f32, omr_: f32, eps_: f32, wd_: f32, gSign_: f32",
    bools: "const hasWd = wd_ != 0, signed = gSign_ != 1;",
    flags: ["hasWd"],
    signed: true,
    fast: "pipelined",
    slow: "promote",
    runs: [
      { name: "Wd", when: "hasWd", switches: "true, true" },
      { name: "Signed", when: "signed", switches: "false, true" },
      { name: "Plain", switches: "false, false" },
    ],
    at: `
  const pv = ld<T, W>(p);
  let d = vmul<T>(ld<T, W>(g), lanes<T>(gSign));
  if (hasWd) d = vadd<T>(d, vmul<T>(lanes<T>(wd), pv));
  const sq = rnd<T>(vadd<T>(vmul<T>(lanes<T>(rho), ld<T, W>(q)), vmul<T>(vmul<T>(lanes<T>(omr), d), d)));
  st<T, W>(q, sq);
  const acc = ld<T, W>(a);
  const ratio = rnd<T>(vdiv<T>(rnd<T>(vadd<T>(acc, lanes<T>(eps))), rnd<T>(vadd<T>(sq, lanes<T>(eps)))));
  const delta = rnd<T>(vmul<T>(rnd<T>(vsqrt<T>(ratio)), d));
  st<T, W>(a, vadd<T>(vmul<T>(lanes<T>(rho), acc), vmul<T>(vmul<T>(lanes<T>(omr), delta), delta)));
  st<T, W>(p, vsub<T>(pv, vmul<T>(lanes<T>(lr), delta)));`,
    front: `
  let d = signed ? f32x4.mul(gv, gSign) : gv;
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, v128.load(p)));
  const sq = f32x4.add(f32x4.mul(rho, qv), f32x4.mul(f32x4.mul(omr, d), d));
  v128.store(q, sq);
  return f32x4.sqrt(f32x4.div(f32x4.add(av, eps), f32x4.add(sq, eps)));`,
    back: `
  const pv = v128.load(p), av = v128.load(a);
  let d = v128.load(g);
  if (signed) d = f32x4.mul(d, gSign);
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const delta = f32x4.mul(r, d);
  v128.store(a, f32x4.add(f32x4.mul(rho, av), f32x4.mul(f32x4.mul(omr, delta), delta)));
  v128.store(p, f32x4.sub(pv, f32x4.mul(lr, delta)));`,
  },
];

/** The code of one rule. */
function generate(rule) {
  const N = rule.name;
  const ptrs = ["p", "g", ...rule.ptrs.map(([x]) => x)];
  const P = ptrs.map((x) => `${x}: usize`).join(", ");
  const at = (off) => ptrs.map((x) => `${x} + o${off}`).join(", ");
  const K = rule.consts.map(([n]) => `${n}: v128`).join(", ");
  const A = rule.consts.map(([n]) => n).join(", ");
  const F = rule.flags.map((f) => `${f}: bool`).join(", ");
  const FA = rule.flags.join(", ");
  const FS = rule.signed ? `${F}, signed: bool` : F;
  const FSA = rule.signed ? `${FA}, signed` : FA;
  const checked = rule.checked ?? [];
  const vecs = (i) => checked.map((x) => `${x}${i}`).join(", ");
  const vecParams = checked.map((x) => `${x}v: v128`).join(", ");
  const out = [];
  const fn = (decorator, head, ret, body) => out.push(`${decorator} function ${head}(\n  ${ret[0]},\n): ${ret[1]} {${body}\n}\n`);
  if (rule.helpers) out.push(rule.helpers.trimStart());

  // The element math, as the rule writes it.
  if (rule.fast === "plain") fn("@inline", `${N}At<W>`, [`${P}, ${K}, ${F}`, "void"], rule.at);
  else if (rule.slow === "wide") {
    fn("@inline", `${N}At<W>`, [`${P}, gv: v128, ${vecParams}, wide: bool, ${K}, ${F}`, "void"], rule.at);
  } else fn("@inline", `${N}At<T, W>`, [`${P}, ${K}, ${F}`, "void"], rule.at);
  if (rule.vec) fn("@inline", `${N}Vec`, [`${P}, gv: v128, ${vecParams}, ${K}, ${FS}`, "void"], rule.vec);
  if (rule.front) {
    fn("@inline", `${N}Front`, [`${P}, gv: v128, ${vecParams}, ${K}, ${FS}`, "v128"], rule.front);
    fn("@inline", `${N}Back`, [`${P}, r: v128, ${K}, ${FS}`, "void"], rule.back);
  }

  // The slow path: groups from i one by one, each with its own tiny check.
  const loadState = (x, off = "") => `v128.load(${x} + o${off})`;
  if (rule.slow === "promote") {
    const stateTiny = checked.length === 1
      ? `tinyStateK(${loadState(checked[0])}, k, sLimit)`
      : `tinyState2K(${loadState(checked[0])}, ${loadState(checked[1])}, k, sLimit)`;
    const tailTiny = ["tinyOne(g + o, TINY_GRAD_BITS)", ...checked.map((x) => `tinyOneS(${x} + o)`)].join(" || ");
    fn("@noinline", `${N}Slow`, [`${P}, i: i32, n: i32, all: bool, ${K}, ${F}`, "i32"], `
  let clean = 0;
  const limit = all ? i32.MAX_VALUE : CLEAN_RUN;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    if (v128.any_true(v128.or(tinyLanesK(v128.load(g + o), k, gLimit), ${stateTiny}))) {
      ${N}At<f64, u64>(${at("")}, ${A}, ${FA});
      ${N}At<f64, u64>(${at(" + 8")}, ${A}, ${FA});
      clean = 0;
    } else {
      ${N}At<f32, v128>(${at("")}, ${A}, ${FA});
      if (++clean >= limit) {
        i += 4;
        break;
      }
    }
  }
  if (all) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      if (${tailTiny}) {
        ${N}At<f64, u32>(${at("")}, ${A}, ${FA});
      } else {
        ${N}At<f32, u32>(${at("")}, ${A}, ${FA});
      }
    }
  }
  return i;`);
  } else if (rule.slow === "wide") {
    const [x] = checked;
    const none = rule.flags.map(() => "false").join(", ");
    fn("@noinline", `${N}Slow`, [`${P}, i: i32, n: i32, all: bool, ${K}, ${F}`, "i32"], `
  // The plain rule gets its own copy: a tensor of tiny values runs entirely here.
  if (${rule.flags.map((f) => `!${f}`).join(" && ")}) {
    return ${N}SlowLoop(${ptrs.join(", ")}, i, n, all, ${A}, ${none});
  }
  return ${N}SlowLoop(${ptrs.join(", ")}, i, n, all, ${A}, ${FA});`);
    fn("@inline", `${N}SlowLoop`, [`${P}, i: i32, n: i32, all: bool, ${K}, ${F}`, "i32"], `
  let clean = 0;
  const limit = all ? i32.MAX_VALUE : CLEAN_RUN;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o), ${x}v = v128.load(${x} + o);
    if (v128.any_true(v128.or(tinyLanesK(gv, k, gLimit), tinyStateK(${x}v, k, sLimit)))) {
      ${N}At<v128>(${at("")}, gv, ${x}v, true, ${A}, ${FA});
      clean = 0;
    } else {
      ${N}At<v128>(${at("")}, gv, ${x}v, false, ${A}, ${FA});
      if (++clean >= limit) {
        i += 4;
        break;
      }
    }
  }
  if (all) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const gv = ld<f32, u32>(g + o), ${x}v = ld<f32, u32>(${x} + o);
      const wide = v128.any_true(v128.or(tinyLanesK(gv, k, gLimit), tinyStateK(${x}v, k, sLimit)));
      ${N}At<u32>(${at("")}, gv, ${x}v, wide, ${A}, ${FA});
    }
  }
  return i;`);
  }

  // The fast loop.
  const tiny2 = checked.length === 1
    ? `tinyGrad2K(g0, g1, k, gLimit), tinyState2K(${checked[0]}0, ${checked[0]}1, k, sLimit)`
    : `tinyGrad2K(g0, g1, k, gLimit), tinyState4K(${checked[0]}0, ${checked[1]}0, ${checked[0]}1, ${checked[1]}1, k, sLimit)`;
  const loads = (decl) => [
    `${decl}g0 = v128.load(g + o), g1 = v128.load(g + o, 16);`,
    ...checked.map((x) => `${decl}${x}0 = v128.load(${x} + o), ${x}1 = v128.load(${x} + o, 16);`),
  ];
  const slowCalls = `
    if (!found) break;
    i = ${N}Slow(${ptrs.join(", ")}, i, n, false, ${A}, ${FA});
  }
  ${N}Slow(${ptrs.join(", ")}, i, n, true, ${A}, ${FA});`;
  const runHead = [`${P}, n: i32, ${K}, ${FS}`, "void"];
  if (rule.fast === "plain") {
    fn("@inline", `${N}Run`, runHead, `
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    ${N}At<v128>(${at("")}, ${A}, ${FA});
    ${N}At<v128>(${at(" + 16")}, ${A}, ${FA});
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    ${N}At<v128>(${at("")}, ${A}, ${FA});
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    ${N}At<u32>(${at("")}, ${A}, ${FA});
  }`);
  } else if (rule.fast === "pipelined") {
    const front = (i, off) => `${N}Front(${at(off)}, g${i}, ${vecs(i)}, ${A}, ${FSA})`;
    const back = (i, off) => `${N}Back(${ptrs.map((x) => `${x} + b${off}`).join(", ")}, r${i}, ${A}, ${FSA});`;
    fn("@inline", `${N}Run`, runHead, `
  let i = 0;
  while (true) {
    let found = true;
    if (i + 8 <= n) {
      // The first 8 elements only start the pipeline, so the loop has no flag.
      let o = <usize>i << 2;
      ${loads("let ").join("\n      ")}
      if (!v128.any_true(v128.or(${tiny2}))) {
        found = false;
        let r0 = ${front(0, "")};
        let r1 = ${front(1, " + 16")};
        i += 8;
        while (i + 8 <= n) {
          o = <usize>i << 2;
          ${loads("").join("\n          ")}
          if (v128.any_true(v128.or(${tiny2}))) {
            found = true;
            break;
          }
          const f0 = ${front(0, "")};
          const f1 = ${front(1, " + 16")};
          const b = o - 32;
          ${back(0, "")}
          ${back(1, " + 16")}
          r0 = f0;
          r1 = f1;
          i += 8;
        }
        const b = (<usize>i << 2) - 32;
        ${back(0, "")}
        ${back(1, " + 16")}
      }
    } else {
      found = false;
    }${slowCalls}`);
  } else {
    const clean = (i, off) => rule.fast === "vec"
      ? `${N}Vec(${at(off)}, g${i}, ${vecs(i)}, ${A}, ${FSA});`
      : `${N}At<f32, v128>(${at(off)}, ${A}, ${FA});`;
    fn("@inline", `${N}Run`, runHead, `
  let i = 0;
  while (true) {
    let found = false;
    while (i + 8 <= n) {
      const o = <usize>i << 2;
      ${loads("const ").join("\n      ")}
      if (v128.any_true(v128.or(${tiny2}))) {
        found = true;
        break;
      }
      ${clean(0, "")}
      ${clean(1, " + 16")}
      i += 8;
    }${slowCalls}`);
  }

  // One specialised loop per common option set, so no unused arithmetic runs.
  for (const { name, params, switches } of rule.runs) {
    fn("@noinline", `${N}Run${name}`, [`${P}, n: i32, ${K}${params ? `, ${params}` : ""}`, "void"], `
  ${N}Run(${ptrs.join(", ")}, n, ${A}, ${switches});`);
  }

  // The exported step: the constants splatted once, then every tensor of the table.
  const dispatch = rule.runs.map(({ name, when, args }, i) => {
    const call = `      ${N}Run${name}(${ptrs.join(", ")}, n, ${A}${args ? `, ${args}` : ""});`;
    const head = i === rule.runs.length - 1 ? "    } else {" : `    ${i === 0 ? "" : "} else "}if (${when}) {`;
    return `${head}\n${call}`;
  }).join("\n") + "\n    }";
  const rowPtrs = [["p", "eP"], ["g", "eG"], ...rule.ptrs].map(([x, acc]) => `${x} = ${acc}(e)`).join(", ");
  out.push(`export function ${N}Step(
  table: usize, count: i32, ${rule.params},
): void {
  ${rule.bools}
${rule.consts.filter((c) => !c[2]).map(([n, make]) => `  const ${n} = ${make};`).join("\n")}
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const ${rowPtrs}, n = eN(e);
${[rule.rowBools, ...rule.consts.filter((c) => c[2]).map(([n, make]) => `const ${n} = ${make};`)].filter(Boolean).map((l) => `    ${l}`).join("\n")}
${dispatch}
  }
}
`);
  const title = `// ---- ${N} ${"-".repeat(Math.max(4, 76 - N.length))}`;
  const consts = `// Constants, in this order: ${A}.`;
  return [title, ...rule.box.map((l) => `// ${l}`), consts, "", ...out].join("\n");
}

for (const rule of RULES) {
  for (const [n] of rule.consts) if (!(n in LEGEND)) throw new Error(`gen_optim: ${rule.name} uses ${n}, which LEGEND lacks`);
}
const used = new Set(RULES.flatMap((r) => r.consts.map(([n]) => n)));
const width = Math.max(...Object.keys(LEGEND).map((n) => n.length));

const text = `// Generated by scripts/gen_optim.mjs — do not edit; change the generator.
// Every optimizer rule's fused update: one pass per tensor of the table, with
// a specialised fast loop per common option set, a slow path for tiny values
// (see assembly/optim.ts) and the exported step over the whole table.
//
// The constants (splatted once per call; V8 would redo a splat inside a loop),
// by short name:
${Object.entries(LEGEND).filter(([n]) => used.has(n)).map(([n, what]) => `//   ${n.padEnd(width)}  ${what}`).join("\n")}

import { ROW_BYTES, eP, eG, eS0, eS1, eS2, eN, eT0, eT1, eT2, eT3 } from "./table";
import {
  CLEAN_RUN, TINY_GRAD_BITS, TINY_STATE_BITS, ld, st, rnd, lanes, vadd, vsub, vmul, vdiv, vsqrt, optimAbsMask,
  tinyLanesK, tinyStateK, tinyGrad2K, tinyState2K, tinyState4K, tinyOne, tinyOneS,
} from "./optim_lanes";

${RULES.map(generate).join("\n")}`;

export const outputs = { "assembly/optim_rules.ts": text };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(root, "assembly/optim_rules.ts"), text);
  console.log("wrote assembly/optim_rules.ts");
}
