#!/usr/bin/env node
// Generates assembly/gemm_kernels.ts: the register-tiled GEMM micro-kernels,
// one per tile shape and ISA, named as XNNPACK names them
// (gemm_<MR>x<NR>__<isa>_<variant>).
//
//   node scripts/gen_gemm.mjs [--tile 4x8]
//
// Every kernel computes one MR x NR tile of C from packed panels:
//   a: MR floats per k (column k of an MR-row panel of op(A)), kc of them,
//   b: NR floats per k (row k of an NR-column panel of op(B)), kc of them,
// then writes C = alpha * acc + beta * C (beta == 0: C is not read). The
// accumulators live in v128 registers for the whole k loop; V8 on x64 has 15
// allocatable xmm registers, so MR * NR / 4 accumulators + NR / 4 B vectors +
// one broadcast A (+ one product temporary for mul+add) must fit in them.
//
// Variants per tile:
//   ppmm_…  A pre-packed in MR-row panels;  gemm_…  A read in place (no packing)
//   …__wasmsimd_loadsplat    f32x4.mul + f32x4.add, A broadcast by v128.load32_splat
//   …__wasmrelaxedsimd_fma   f32x4.relaxed_madd (one fused multiply-add where the CPU has FMA)
//   …_k2                     either of them with k unrolled by 2: the driver's kernels (see SIMD_PPMM_KU)
// `--tile` picks the tile the driver (assembly/gemm.ts) uses; the others are
// generated too (kept for measurement, and compiled only if referenced).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const TILES = [
  [4, 8],
  [5, 8],
  [6, 8],
  [3, 12],
  [4, 12],
  [2, 16],
  [8, 4],
];
const argv = process.argv.slice(2);
const tileArg = argv.includes("--tile") ? argv[argv.indexOf("--tile") + 1] : "4x8";
const [MR, NR] = tileArg.split("x").map(Number);
if (!TILES.some(([m, n]) => m === MR && n === NR)) throw new Error(`unknown tile ${tileArg}`);

/**
 * One micro-kernel. `packed`: A is a pre-packed MR-row panel (MR floats per k,
 * XNNPACK's "ppmm"); otherwise A is read in place through MR row pointers
 * (row stride rs, k stride ks, in bytes — rs = lda·4, ks = 4 for A, rs = 4,
 * ks = lda·4 for Aᵀ; XNNPACK's "gemm"), rows past `mr` re-reading row mr − 1.
 * `ku`: k steps per loop iteration; see the loop below.
 */
function kernel(mr, nr, fma, packed, { ku = 1 } = {}) {
  const v = nr / 4;
  const variant = `${fma ? "wasmrelaxedsimd_fma" : "wasmsimd_loadsplat"}${ku > 1 ? `_k${ku}` : ""}`;
  const name = `${packed ? "ppmm" : "gemm"}_${mr}x${nr}__${variant}`;
  const L = [];
  L.push(
    `/** ${mr}x${nr} tile, ${packed ? "packed A panel" : "A read in place by row pointers"}, ` +
      `${fma ? "f32x4.relaxed_madd" : "f32x4.mul + f32x4.add"}; A broadcast with v128.load32_splat` +
      `${ku > 1 ? `; k unrolled by ${ku}` : ""}. */`,
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

/** The driver's entry for one tile: the relaxed-SIMD kernel in that build, the mul+add one otherwise. */
function dispatch(fn, packed, m, n, doc) {
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
    `    ${kind}_${m}x${n}__wasmrelaxedsimd_fma${suffix(packed ? RELAXED_PPMM_KU : RELAXED_GEMM_KU)}(${args});`,
    "  } else {",
    `    ${kind}_${m}x${n}__wasmsimd_loadsplat${suffix(packed ? SIMD_PPMM_KU : SIMD_GEMM_KU)}(${args});`,
    "  }",
    "}",
    "",
  ];
}

// The driver's narrow kernel (MR x 4) covers a last B panel of at most 4 columns.
const tiles = TILES.some(([m, n]) => m === MR && n === 4) ? TILES : [...TILES, [MR, 4]];
const out = [
  "// Generated by scripts/gen_gemm.mjs — do not edit; change the generator.",
  "// GEMM micro-kernels by tile and ISA, and the tile the driver uses.",
  "",
  `/** Rows of the micro-kernel tile (the driver's A panel height). */`,
  `export const MR: i32 = ${MR};`,
  `/** Columns of the micro-kernel tile (the driver's B panel width). */`,
  `export const NR: i32 = ${NR};`,
  "",
  ...dispatch("ppmmMicroKernel", true, MR, NR, `The driver's micro-kernel on a packed A panel: ${MR}x${NR}.`),
  ...dispatch("gemmMicroKernel", false, MR, NR, `The driver's micro-kernel on A in place (row stride rs, k stride ks, bytes; mr valid rows): ${MR}x${NR}.`),
  ...dispatch("ppmmMicroKernelNarrow", true, MR, 4, `A last B panel of at most 4 columns (packed 4 wide), packed A: ${MR}x4.`),
  ...dispatch("gemmMicroKernelNarrow", false, MR, 4, `A last B panel of at most 4 columns (packed 4 wide), A in place: ${MR}x4.`),
];
for (const [m, n] of tiles) {
  for (const packed of [true, false]) out.push(kernel(m, n, false, packed), "", kernel(m, n, true, packed), "");
  if (SIMD_PPMM_KU > 1) out.push(kernel(m, n, false, true, { ku: SIMD_PPMM_KU }), "");
  if (SIMD_GEMM_KU > 1) out.push(kernel(m, n, false, false, { ku: SIMD_GEMM_KU }), "");
  if (RELAXED_GEMM_KU > 1) out.push(kernel(m, n, true, false, { ku: RELAXED_GEMM_KU }), "");
  if (RELAXED_PPMM_KU > 1) out.push(kernel(m, n, true, true, { ku: RELAXED_PPMM_KU }), "");
}
writeFileSync(join(root, "assembly/gemm_kernels.ts"), out.join("\n"));
console.log(`wrote assembly/gemm_kernels.ts (${tiles.length} tiles x 2 A layouts x 2 ISAs; driver tile ${MR}x${NR})`);
