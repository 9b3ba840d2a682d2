// Feature detection by validating real bytes (as tfjs-backend-wasm does):
// a tiny module whose one function uses the instruction in question.

const V128_CONST = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

function probeModule(body: number[]): Uint8Array<ArrayBuffer> {
  const code = [0x00, ...body, 0x0b]; // no locals, body, end
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type: () -> v128
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x0a, code.length + 2, 0x01, code.length, ...code, // code section
  ]);
}

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** True when the engine accepts 128-bit SIMD (`v128.const`). */
export function hasSimd(): boolean {
  return validates(probeModule(V128_CONST));
}

/** True when the engine accepts relaxed SIMD (`f32x4.relaxed_madd`). */
export function hasRelaxedSimd(): boolean {
  return validates(probeModule([...V128_CONST, ...V128_CONST, ...V128_CONST, 0xfd, 0x85, 0x02]));
}
