#!/usr/bin/env node
// Generates assembly/gemm_kernels.ts: the register-tiled GEMM micro-kernels
// the driver (assembly/gemm.ts) calls, named as XNNPACK names them
// (<ppmm|gemm>_<MR>x<NR>__<isa>_<variant>), and the per-build tile constants.
//
//   node scripts/gen_gemm.mjs
//
// Every kernel computes one MR x NR tile of C from packed panels:
//   a: MR floats per k (column k of an MR-row panel of op(A)), kc of them,
//   b: NR floats per k (row k of an NR-column panel of op(B)), kc of them,
// then writes C = alpha * acc + beta * C (beta == 0: C is not read). The
// accumulators live in v128 registers for the whole k loop; V8 on x64 has 15
// allocatable xmm registers (xmm15 is its scratch).
//
// Variants:
//   ppmm_…  A pre-packed in MR-row panels;  gemm_…  A read in place (no packing)
//   …__wasmsimd_loadsplat    f32x4.mul + f32x4.add, A broadcast by v128.load32_splat
//   …__wasmrelaxedsimd_fma   f32x4.relaxed_madd (one fused multiply-add where the CPU has FMA)
//   …_k2                     k unrolled by 2 (see the KU constants)
//
// Only the kernels the driver calls are generated (each build compiles the
// ones its ASC_FEATURE_RELAXED_SIMD branch names). Tiles measured and dropped
// on an AMD EPYC (Zen 4, 1 MiB L2) — kernel alone on L1-resident panels,
// kc = 512, best of 40, relaxed build, FMA ceiling 59.1 GFLOP/s:
//   4x8 k2 54.3, 6x8 k2 with row barriers 54.3 (56.3 at kc = 1024, 54.4 vs 53.3 at kc = 256),
//   5x8 k2 with barriers 52.2–52.7, 3x12 k2 50.3–51.0, 2x16 k2 48.0;
//   without barriers 5x8 22, 6x8 26, 4x12 27, 8x4 18 (spills, see below).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** V8's allocatable xmm registers on x64 (xmm0–xmm14). */
const XMM_REGISTERS = 15;

/**
 * Row barriers. TurboFan schedules a wasm load where the effect chain puts
 * it, but a pure operation (the FMA, the mul and add) as late as its uses
 * allow within its basic block: every A broadcast and B vector of one k step
 * is loaded before the first FMA, so MR·NR/4 accumulators + NR/4 B vectors +
 * MR broadcasts (+ 1 product for mul+add) must fit in the 15 registers, or
 * accumulators spill (5x8: 22 GFLOP/s, 6x8: 26, against 54 for 4x8). A
 * conditional exit after each row's FMAs ends the block there, so each row's
 * broadcast is loaded after the previous row's FMAs: MR·NR/4 + NR/4 + 1 live,
 * and 6x8 fits (12 accumulators: slack for the FMA's 4-cycle latency on two
 * pipes, where 4x8's 8 chains are exactly enough). The exit compares the A
 * pointer with a small constant (1, 2, …): A is a heap block, never there,
 * and distinct constants keep Binaryen and V8 from merging the checks.
 */
function needsRowBarriers(mr, nr, fma) {
  return mr * (nr / 4) + nr / 4 + mr + (fma ? 0 : 1) > XMM_REGISTERS;
}

/**
 * One micro-kernel. `packed`: A is a pre-packed MR-row panel (MR floats per k,
 * XNNPACK's "ppmm"); otherwise A is read in place through MR row pointers
 * (row stride rs, k stride ks, in bytes — rs = lda·4, ks = 4 for A, rs = 4,
 * ks = lda·4 for Aᵀ; XNNPACK's "gemm"), rows past `mr` re-reading row mr − 1.
 * `ku`: k steps per loop iteration; see the loop below.
 */
function kernel(mr, nr, fma, packed, { ku = 1 } = {}) {
  const v = nr / 4;
  const barriers = needsRowBarriers(mr, nr, fma);
  const variant = `${fma ? "wasmrelaxedsimd_fma" : "wasmsimd_loadsplat"}${ku > 1 ? `_k${ku}` : ""}`;
  const name = `${packed ? "ppmm" : "gemm"}_${mr}x${nr}__${variant}`;
  const L = [];
  L.push(
    `/** ${mr}x${nr} tile, ${packed ? "packed A panel" : "A read in place by row pointers"}, ` +
      `${fma ? "f32x4.relaxed_madd" : "f32x4.mul + f32x4.add"}; A broadcast with v128.load32_splat` +
      `${ku > 1 ? `; k unrolled by ${ku}` : ""}${barriers ? "; row barriers" : ""}. */`,
  );
  const aParams = packed ? "a: usize" : "mr: i32, a: usize, rs: usize, ks: usize";
  L.push(`export function ${name}(kc: i32, ${aParams}, b: usize, c: usize, ldc: usize, alpha: f32, beta: f32): void {`);
  if (!packed) {
    L.push(`  let a0 = a;`);
    for (let r = 1; r < mr; r++) L.push(`  let a${r} = select<usize>(a${r - 1} + rs, a${r - 1}, mr > ${r});`);
  }
  for (let r = 0; r < mr; r++) {
    L.push(`  ${Array.from({ length: v }, (_, j) => `let c${r}x${j} = f32x4.splat(0);`).join(" ")}`);
  }
  const aStep = mr * 4;
  const bStep = nr * 4;
  L.push(`  const bEnd = b + <usize>kc * ${bStep};`);
  // k unrolled by ku. After step u < ku − 1 the loop leaves when that was the
  // last k; besides handling any kc, these exits keep Binaryen from fusing
  // consecutive updates of one accumulator into one expression (which needs
  // every step's A and B live at once, and spills). Step u > 0 reads A
  // through its own pointer a + u·MR·4 rather than at offset u·MR·4 from a:
  // V8 keeps one register (memory base + offset) per distinct
  // v128.load32_splat offset, and MR·ku of them spill; the extra add is cheaper.
  for (let u = 0; u + 1 < ku; u++) L.push(`  const bLast${u} = bEnd - ${(u + 1) * bStep};`);
  if (!packed && ku > 1) L.push(`  const ksStep = ks * ${ku};`);
  L.push(ku > 1 ? `  while (true) {` : `  do {`);
  for (let u = 0; u < ku; u++) {
    if (u && packed) L.push(`    const a${u}_ = a + ${u * aStep};`);
    if (u && !packed) for (let r = 0; r < mr; r++) L.push(`    const a${r}_${u} = a${r} + ${u > 1 ? `ks * ${u}` : "ks"};`);
    const ap = u ? `a${u}_` : "a";
    for (let j = 0; j < v; j++) {
      const off = u * bStep + j * 16;
      L.push(`    const b${u ? `${u}_` : ""}${j} = v128.load(b${off ? `, ${off}` : ""});`);
    }
    for (let r = 0; r < mr; r++) {
      const va = `va${u ? `${u}_` : ""}${r}`;
      L.push(packed ? `    const ${va} = v128.load32_splat(${ap}${r ? `, ${r * 4}` : ""});` : `    const ${va} = v128.load32_splat(a${r}${u ? `_${u}` : ""});`);
      for (let j = 0; j < v; j++) {
        const bj = `b${u ? `${u}_` : ""}${j}`;
        L.push(
          fma
            ? `    c${r}x${j} = f32x4.relaxed_madd(${va}, ${bj}, c${r}x${j});`
            : `    c${r}x${j} = f32x4.add(c${r}x${j}, f32x4.mul(${va}, ${bj}));`,
        );
      }
      if (barriers && r + 1 < mr) L.push(`    if (${packed ? "a" : "a0"} == <usize>${u * (mr - 1) + r + 1}) break; // row barrier: never taken`);
    }
    if (u + 1 < ku) L.push(`    if (b >= bLast${u}) break;`);
  }
  if (packed) L.push(`    a += ${ku * aStep};`);
  else for (let r = 0; r < mr; r++) L.push(`    a${r} += ${ku > 1 ? "ksStep" : "ks"};`);
  L.push(`    b += ${ku * bStep};`);
  L.push(ku > 1 ? `    if (b >= bEnd) break;\n  }` : `  } while (b < bEnd);`);
  L.push(`  const va = f32x4.splat(alpha);`);
  L.push(`  if (beta == 0) {`);
  for (let r = 0; r < mr; r++) {
    const row = r ? `c + ${r === 1 ? "ldc" : `${r} * ldc`}` : "c";
    for (let j = 0; j < v; j++) L.push(`    v128.store(${row}, f32x4.mul(c${r}x${j}, va)${j ? `, ${j * 16}` : ""});`);
  }
  L.push(`  } else {`);
  L.push(`    const vb = f32x4.splat(beta);`);
  for (let r = 0; r < mr; r++) {
    const row = r ? `c + ${r === 1 ? "ldc" : `${r} * ldc`}` : "c";
    if (r) L.push(`    const p${r} = ${row};`);
    const p = r ? `p${r}` : "c";
    for (let j = 0; j < v; j++) {
      const off = j ? `, ${j * 16}` : "";
      L.push(`    v128.store(${p}, f32x4.add(f32x4.mul(c${r}x${j}, va), f32x4.mul(v128.load(${p}${off}), vb))${off});`);
    }
  }
  L.push(`  }`);
  L.push(`}`);
  return L.join("\n");
}

/**
 * k steps per iteration of the driver's mul+add ppmm loop. Without FMA that
 * loop is bound by the front end (~6 macro-ops per cycle on Zen 3), not by the
 * FP pipes: per k, 16 mul/add + 6 loads + V8's loop overhead (stack check,
 * pointer bumps and their zero-extensions, compare-and-branch: 6–7 macro-ops).
 * Two k per iteration take that to ~4.5 per k (node --print-wasm-code: 56
 * instructions, 53 macro-ops per 2 k, against 28–29 per k): the 4x8 kernel
 * alone goes from 32–35 to ~39 GFLOP/s (mul+add ceiling ~41). ×3 and ×4
 * measured slower (33–36: V8 recomputes the extra exit bounds in the loop).
 */
const SIMD_PPMM_KU = 2;
/**
 * The same for the driver's mul+add kernel on A in place (narrow C): step 2
 * reads through a_r + ks. 37 → 32.5 instructions per k; 256x64·64 (A in
 * place) 31 → 35 GFLOP/s, Aᵀ·B with 10 columns 19 → 23.5.
 */
const SIMD_GEMM_KU = 2;
/** The FMA kernel on A in place: 8 FMAs + 6 loads + 15 loop instructions per k is front-end bound too. */
const RELAXED_GEMM_KU = 2;
/**
 * The packed FMA loop (8 FMAs + 6 loads + ~6 per k) is FP-bound rather than
 * front-end bound; k unrolled by 2 measured equal from 256³ up and 2–3% faster
 * at 128³ and on the K = 128 products.
 */
const RELAXED_PPMM_KU = 2;
const suffix = (ku) => (ku > 1 ? `_k${ku}` : "");

/**
 * The tiles per build. The relaxed build's packed kernel is 6x8 (12 FMA
 * chains; 4x8's 8 chains are exactly the FMA latency × pipes of Zen 3/4, so
 * any stall costs throughput); its mul+add twin cannot hold 12 accumulators
 * and a product, so the simd build stays 4x8. A in place (narrow C) reads
 * MR row pointers that each advance per k: 4 rows in both builds.
 */
const RELAXED_MR = 6;
const SIMD_MR = 4;
const DIRECT_MR = 4;
const NR = 8;

/** The driver's entry for one role: the relaxed-SIMD kernel in that build, the mul+add one otherwise. */
function dispatch(fn, packed, [rm, rn], [sm, sn], doc) {
  const params = packed
    ? "kc: i32, a: usize, b: usize, c: usize, ldc: usize, alpha: f32, beta: f32"
    : "kc: i32, mr: i32, a: usize, rs: usize, ks: usize, b: usize, c: usize, ldc: usize, alpha: f32, beta: f32";
  const args = packed ? "kc, a, b, c, ldc, alpha, beta" : "kc, mr, a, rs, ks, b, c, ldc, alpha, beta";
  const kind = packed ? "ppmm" : "gemm";
  return [
    `/** ${doc} */`,
    "// @ts-ignore: decorator",
    "@inline",
    `export function ${fn}(${params}): void {`,
    "  if (ASC_FEATURE_RELAXED_SIMD) {",
    `    ${kind}_${rm}x${rn}__wasmrelaxedsimd_fma${suffix(packed ? RELAXED_PPMM_KU : RELAXED_GEMM_KU)}(${args});`,
    "  } else {",
    `    ${kind}_${sm}x${sn}__wasmsimd_loadsplat${suffix(packed ? SIMD_PPMM_KU : SIMD_GEMM_KU)}(${args});`,
    "  }",
    "}",
    "",
  ];
}

const out = [
  "// Generated by scripts/gen_gemm.mjs — do not edit; change the generator.",
  "// The GEMM micro-kernels the driver calls, and the tiles per build.",
  "",
  `/** Rows of the packed-A micro-kernel tile (the driver's A panel height): ${RELAXED_MR} in the relaxed build, ${SIMD_MR} otherwise. */`,
  `export const MR: i32 = ASC_FEATURE_RELAXED_SIMD ? ${RELAXED_MR} : ${SIMD_MR};`,
  `/** Rows of the micro-kernel tile that reads A in place. */`,
  `export const MR_DIRECT: i32 = ${DIRECT_MR};`,
  `/** Columns of the micro-kernel tile (the driver's B panel width). */`,
  `export const NR: i32 = ${NR};`,
  "",
  ...dispatch("ppmmMicroKernel", true, [RELAXED_MR, NR], [SIMD_MR, NR], "The driver's micro-kernel on a packed A panel: MR x NR."),
  ...dispatch("gemmMicroKernel", false, [DIRECT_MR, NR], [DIRECT_MR, NR], `The driver's micro-kernel on A in place (row stride rs, k stride ks, bytes; mr valid rows): ${DIRECT_MR}x${NR}.`),
  ...dispatch("ppmmMicroKernelNarrow", true, [RELAXED_MR, 4], [SIMD_MR, 4], "A last B panel of at most 4 columns (packed 4 wide), packed A: MR x 4."),
  ...dispatch("gemmMicroKernelNarrow", false, [DIRECT_MR, 4], [DIRECT_MR, 4], `A last B panel of at most 4 columns (packed 4 wide), A in place: ${DIRECT_MR}x4.`),
];
const kernels = [
  kernel(RELAXED_MR, NR, true, true, { ku: RELAXED_PPMM_KU }),
  kernel(RELAXED_MR, 4, true, true, { ku: RELAXED_PPMM_KU }),
  kernel(SIMD_MR, NR, false, true, { ku: SIMD_PPMM_KU }),
  kernel(SIMD_MR, 4, false, true, { ku: SIMD_PPMM_KU }),
  kernel(DIRECT_MR, NR, true, false, { ku: RELAXED_GEMM_KU }),
  kernel(DIRECT_MR, 4, true, false, { ku: RELAXED_GEMM_KU }),
  kernel(DIRECT_MR, NR, false, false, { ku: SIMD_GEMM_KU }),
  kernel(DIRECT_MR, 4, false, false, { ku: SIMD_GEMM_KU }),
];
for (const k of kernels) out.push(k, "");
writeFileSync(join(root, "assembly/gemm_kernels.ts"), out.join("\n"));
console.log(`wrote assembly/gemm_kernels.ts (${kernels.length} kernels: relaxed ${RELAXED_MR}x${NR}, simd ${SIMD_MR}x${NR}, in place ${DIRECT_MR}x${NR})`);
