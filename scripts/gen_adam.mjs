#!/usr/bin/env node
// Generates assembly/optim_adam.ts: Adam's / AdamW's fused update (the
// arithmetic contract and the subnormal handling are those of
// assembly/optim.ts), from one template. Its constants — splatted once per
// call, because V8 re-splats a scalar inside a loop — are passed by value
// through every function of the fast and slow paths; their list is written
// once here (CONSTANTS, with the legend from the short names to the algorithm
// box of src/optim/adam.ts), as are the specialised loops (RUNS). Adding an
// option means one CONSTANTS entry (and its use in the element math), or one
// RUNS entry.
//
//   node scripts/gen_adam.mjs
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** [short name, what it is, how adamStep makes it]. */
const CONSTANTS = [
  ["ss", "lr/(1 − β1ᵗ), the step size (the row's t0)", "f32x4.splat(eT0(e))"],
  ["rb2", "1/√(1 − β2ᵗ) (the row's t1)", "f32x4.splat(eT1(e))"],
  ["b1", "β1", "f32x4.splat(b1_)"],
  ["omb1", "1 − β1", "f32x4.splat(omb1_)"],
  ["b2", "β2", "f32x4.splat(b2_)"],
  ["omb2", "1 − β2", "f32x4.splat(omb2_)"],
  ["b2d", "β2 in float64 lanes (a tiny group's v update)", "f64x2.splat(<f64>b2_)"],
  ["omb2d", "1 − β2 in float64 lanes", "f64x2.splat(<f64>omb2_)"],
  ["eps", "ε (added after the bias correction of √v̂)", "f32x4.splat(eps_)"],
  ["wd", "λ, Adam's L2 weight decay added to the gradient (0 for AdamW)", "f32x4.splat(wd_)"],
  ["decay", "1 − lr·λ, AdamW's decoupled decay of θ (1 for Adam)", "f32x4.splat(decay_)"],
  ["gSign", "−1 with maximize, else 1", "f32x4.splat(gSign_)"],
  ["k", "2^31 − 1, the tiny checks' bias (see optimAbsMask)", "i32x4.splat(optimAbsMask)"],
  ["gLimit", "the tiny-gradient limit 2^-50, biased", "i32x4.splat(optimAbsMask + TINY_GRAD_BITS)"],
  ["sLimit", "the tiny-state limit 2^-80, biased", "i32x4.splat(optimAbsMask + TINY_STATE_BITS)"],
];
/** Constants that vary per tensor (made from the row inside the loop over the table). */
const PER_TENSOR = new Set(["ss", "rb2"]);

/**
 * One specialised loop per common option set (no unused arithmetic runs),
 * tried in order; the last takes the switches at run time. `switches` are
 * adamRun's hasWd, hasDecay, amsgrad, signed.
 */
const RUNS = [
  { name: "adamRunPlain", when: "!ams && !hasWd && !hasDecay && !signed", switches: "false, false, false, false" },
  { name: "adamRunDecay", when: "!ams && !hasWd && hasDecay && !signed", switches: "false, true, false, false" },
  { name: "adamRunWd", when: "!ams && hasWd && !hasDecay", switches: "true, false, false, true" },
  {
    name: "adamRunGeneral", when: null, params: "hasWd: bool, hasDecay: bool, amsgrad: bool", args: "hasWd, hasDecay, ams",
    switches: "hasWd, hasDecay, amsgrad, true",
  },
];

const K = CONSTANTS.map(([n]) => `${n}: v128`).join(", ");
const A = CONSTANTS.map(([n]) => n).join(", ");
const width = Math.max(...CONSTANTS.map(([n]) => n.length));

const template = `/**
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

/**
 * One group of 4 (or one tail element, W = u32) on the slow path (adamSlow):
 * gradient and v come as loaded for the tiny check, \`wide\` is its outcome.
 */
@inline function adamAt<W>(
  p: usize, mp: usize, vp: usize, xp: usize, gv: v128, vOld: v128, wide: bool,
  \${K},
  hasWd: bool, hasDecay: bool, amsgrad: bool,
): void {
  let pv = ld<f32, W>(p);
  if (hasDecay) pv = f32x4.mul(pv, decay);
  let d = f32x4.mul(gv, gSign);
  if (hasWd) d = f32x4.add(d, f32x4.mul(wd, pv));
  const m = f32x4.add(f32x4.mul(b1, ld<f32, W>(mp)), f32x4.mul(omb1, d));
  st<f32, W>(mp, m);
  let v: v128, root: v128;
  if (wide) {
    v = squareMomentF64(b2d, omb2d, vOld, d);
    st<f32, W>(vp, v);
    if (amsgrad) {
      v = f32x4.max(ld<f32, W>(xp), v);
      st<f32, W>(xp, v);
    }
    root = sqrtNoSubnormal(v);
  } else {
    v = f32x4.add(f32x4.mul(b2, vOld), f32x4.mul(f32x4.mul(omb2, d), d));
    st<f32, W>(vp, v);
    if (amsgrad) {
      v = f32x4.max(ld<f32, W>(xp), v);
      st<f32, W>(xp, v);
    }
    root = f32x4.sqrt(v);
  }
  const denom = f32x4.add(f32x4.mul(root, rb2), eps);
  st<f32, W>(p, f32x4.sub(pv, f32x4.div(f32x4.mul(ss, m), denom)));
}

/**
 * Groups from i one by one, each with its own check, until CLEAN_RUN clean
 * groups in a row (or, with all, to the end including the tail elements).
 * Returns where it stopped.
 */
@noinline function adamSlow(
  p: usize, g: usize, m: usize, v: usize, x: usize, i: i32, n: i32, all: bool, \${K}, hasWd: bool, hasDecay: bool, amsgrad: bool,
): i32 {
  // The plain rule gets its own copy: a tensor of tiny values runs entirely here.
  if (!hasWd && !hasDecay && !amsgrad) {
    return adamSlowLoop(p, g, m, v, x, i, n, all, \${A}, false, false, false);
  }
  return adamSlowLoop(p, g, m, v, x, i, n, all, \${A}, hasWd, hasDecay, amsgrad);
}

@inline function adamSlowLoop(
  p: usize, g: usize, m: usize, v: usize, x: usize, i: i32, n: i32, all: bool, \${K}, hasWd: bool, hasDecay: bool, amsgrad: bool,
): i32 {
  let clean = 0;
  const limit = all ? i32.MAX_VALUE : CLEAN_RUN;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gv = v128.load(g + o), vOld = v128.load(v + o);
    if (v128.any_true(v128.or(tinyLanesK(gv, k, gLimit), tinyStateK(vOld, k, sLimit)))) {
      adamAt<v128>(p + o, m + o, v + o, x + o, gv, vOld, true, \${A}, hasWd, hasDecay, amsgrad);
      clean = 0;
    } else {
      adamAt<v128>(p + o, m + o, v + o, x + o, gv, vOld, false, \${A}, hasWd, hasDecay, amsgrad);
      if (++clean >= limit) {
        i += 4;
        break;
      }
    }
  }
  if (all) {
    for (; i < n; i++) {
      const o = <usize>i << 2;
      const gv = ld<f32, u32>(g + o), vOld = ld<f32, u32>(v + o);
      const wide = v128.any_true(v128.or(tinyLanesK(gv, k, gLimit), tinyStateK(vOld, k, sLimit)));
      adamAt<u32>(p + o, m + o, v + o, x + o, gv, vOld, wide, \${A}, hasWd, hasDecay, amsgrad);
    }
  }
  return i;
}

/** First half of a clean group's update: stores m and v (and vmax), returns √v̂. */
@inline function adamFront(
  p: usize, mp: usize, vp: usize, xp: usize, gv: v128, vOld: v128,
  \${K},
  hasWd: bool, hasDecay: bool, amsgrad: bool, signed: bool,
): v128 {
  let d = signed ? f32x4.mul(gv, gSign) : gv;
  if (hasWd) {
    let pv = v128.load(p);
    if (hasDecay) pv = f32x4.mul(pv, decay);
    d = f32x4.add(d, f32x4.mul(wd, pv));
  }
  const m = f32x4.add(f32x4.mul(b1, v128.load(mp)), f32x4.mul(omb1, d));
  v128.store(mp, m);
  let v = f32x4.add(f32x4.mul(b2, vOld), f32x4.mul(f32x4.mul(omb2, d), d));
  v128.store(vp, v);
  if (amsgrad) {
    v = f32x4.max(v128.load(xp), v);
    v128.store(xp, v);
  }
  return f32x4.sqrt(v);
}

/** Second half: p = p − (ss·m)/(root·rb2 + eps), m as stored by the first half. */
@inline function adamBack(p: usize, mp: usize, root: v128, \${K}, hasDecay: bool): void {
  let pv = v128.load(p);
  if (hasDecay) pv = f32x4.mul(pv, decay);
  const denom = f32x4.add(f32x4.mul(root, rb2), eps);
  v128.store(p, f32x4.sub(pv, f32x4.div(f32x4.mul(ss, v128.load(mp)), denom)));
}

/**
 * The fast loop: 8 elements per iteration, one combined tiny check for both
 * groups (their two v vectors share one compare), then float32 code only; a
 * tiny value hands over to adamSlow from that group on. Software-pipelined:
 * an iteration takes the square roots of its 8 elements and finishes the
 * previous 8 with theirs (division and parameter update), so the long
 * sqrt → div chain of one iteration overlaps the next instead of filling the
 * out-of-order window. Constants arrive splatted: V8 would redo a splat inside
 * the loop.
 */
@inline function adamRun(
  p: usize, g: usize, m: usize, v: usize, x: usize, n: i32, \${K}, hasWd: bool, hasDecay: bool, amsgrad: bool, signed: bool,
): void {
  let i = 0;
  while (true) {
    let found = true;
    if (i + 8 <= n) {
      // The first 8 elements only start the pipeline, so the loop has no flag.
      let o = <usize>i << 2;
      let g0 = v128.load(g + o), g1 = v128.load(g + o, 16);
      let v0 = v128.load(v + o), v1 = v128.load(v + o, 16);
      if (!v128.any_true(v128.or(tinyGrad2K(g0, g1, k, gLimit), tinyState2K(v0, v1, k, sLimit)))) {
        found = false;
        let r0 = adamFront(p + o, m + o, v + o, x + o, g0, v0, \${A}, hasWd, hasDecay, amsgrad, signed);
        let r1 = adamFront(p + o + 16, m + o + 16, v + o + 16, x + o + 16, g1, v1, \${A}, hasWd, hasDecay, amsgrad, signed);
        i += 8;
        while (i + 8 <= n) {
          o = <usize>i << 2;
          g0 = v128.load(g + o);
          g1 = v128.load(g + o, 16);
          v0 = v128.load(v + o);
          v1 = v128.load(v + o, 16);
          if (v128.any_true(v128.or(tinyGrad2K(g0, g1, k, gLimit), tinyState2K(v0, v1, k, sLimit)))) {
            found = true;
            break;
          }
          const s0 = adamFront(p + o, m + o, v + o, x + o, g0, v0, \${A}, hasWd, hasDecay, amsgrad, signed);
          const s1 = adamFront(p + o + 16, m + o + 16, v + o + 16, x + o + 16, g1, v1, \${A}, hasWd, hasDecay, amsgrad, signed);
          const b = o - 32;
          adamBack(p + b, m + b, r0, \${A}, hasDecay);
          adamBack(p + b + 16, m + b + 16, r1, \${A}, hasDecay);
          r0 = s0;
          r1 = s1;
          i += 8;
        }
        const b = (<usize>i << 2) - 32;
        adamBack(p + b, m + b, r0, \${A}, hasDecay);
        adamBack(p + b + 16, m + b + 16, r1, \${A}, hasDecay);
      }
    } else {
      found = false;
    }
    if (!found) break;
    i = adamSlow(p, g, m, v, x, i, n, false, \${A}, hasWd, hasDecay, amsgrad);
  }
  adamSlow(p, g, m, v, x, i, n, true, \${A}, hasWd, hasDecay, amsgrad);
}
`;

const runs = RUNS.map(({ name, params, switches }) => [
  `@noinline function ${name}(`,
  `  p: usize, g: usize, m: usize, v: usize, x: usize, n: i32, ${K}${params ? `, ${params}` : ""},`,
  "): void {",
  `  adamRun(p, g, m, v, x, n, ${A}, ${switches});`,
  "}",
].join("\n")).join("\n\n");

const dispatch = RUNS.map(({ name, when, args }, i) => {
  const call = `      ${name}(p, g, m, v, x, n, ${A}${args ? `, ${args}` : ""});`;
  const head = when === null ? "    } else {" : `    ${i === 0 ? "" : "} else "}if (${when}) {`;
  return `${head}\n${call}`;
}).join("\n") + "\n    }";

const text = `// Generated by scripts/gen_adam.mjs — do not edit; change the generator.
// Adam / AdamW (AMSGrad): one fused pass per tensor of the table.
//   p = decay·p (AdamW); d = gSign·g (+ wd·p, Adam's L2);
//   m = β1·m + (1−β1)·d; v = β2·v + ((1−β2)·d)·d; v̂ = amsgrad ? vmax = max(vmax, v) : v;
//   p = p − (ss·m)/(√v̂·rb2 + eps).
// In a tiny group only v's update is computed in float64 (rounded once); √v̂
// is taken on an exactly rescaled operand (same bits as the float32 square
// root, no subnormal operand); everything else is the float32 path, whose
// operands are then all normal.
//
// The constants every function below takes, in this order:
${CONSTANTS.map(([n, what]) => `//   ${n.padEnd(width)}  ${what}`).join("\n")}

import { ROW_BYTES, eP, eG, eS0, eS1, eS2, eN, eT0, eT1 } from "./table";
import {
  CLEAN_RUN, TINY_GRAD_BITS, TINY_STATE_BITS, ld, optimAbsMask, st, tinyGrad2K, tinyLanesK, tinyState2K, tinyStateK,
} from "./optim_lanes";

${template.replaceAll("${K}", K).replaceAll("${A}", A)}
// One specialised loop per common option set, so no unused arithmetic runs.
${runs}

export function adamStep(
  table: usize, count: i32, b1_: f32, omb1_: f32, b2_: f32, omb2_: f32, eps_: f32, wd_: f32, decay_: f32, gSign_: f32,
  amsgrad: i32,
): void {
  const ams = amsgrad != 0, hasWd = wd_ != 0, hasDecay = decay_ != 1, signed = gSign_ != 1;
${CONSTANTS.filter(([n]) => !PER_TENSOR.has(n)).map(([n, , make]) => `  const ${n} = ${make};`).join("\n")}
  for (let t = 0; t < count; t++) {
    const e = table + <usize>t * ROW_BYTES;
    const p = eP(e), g = eG(e), m = eS0(e), v = eS1(e), x = eS2(e), n = eN(e);
${CONSTANTS.filter(([n]) => PER_TENSOR.has(n)).map(([n, , make]) => `    const ${n} = ${make};`).join("\n")}
${dispatch}
  }
}
`;

export const outputs = { "assembly/optim_adam.ts": text };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(root, "assembly/optim_adam.ts"), text);
  console.log("wrote assembly/optim_adam.ts");
}
