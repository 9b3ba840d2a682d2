// PyTorch's module repr: Python's spelling of values in extra_repr strings,
// and the indentation of nested modules.

/** A number as Python's repr(float) prints it: 1.0, 0.1, 1e-05, 1e+20, inf, nan. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  // JavaScript's shortest round-trip digits, laid out by Python's rule:
  // positional for decimal exponents -4 <= e < 16, scientific otherwise.
  const [mantissa, expText] = x.toExponential().split("e");
  const e = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  let body: string;
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    body = `${m}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  } else if (e < 0) {
    body = `0.${"0".repeat(-e - 1)}${digits}`;
  } else if (digits.length > e + 1) {
    body = `${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  } else {
    body = `${digits}${"0".repeat(e + 1 - digits.length)}.0`;
  }
  return negative ? `-${body}` : body;
}

/** A number that PyTorch keeps as a Python int when integral (e.g. Softplus's beta=1) and a float otherwise. */
export function pyNumber(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? String(x) : pyFloat(x);
}

export function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** A Python tuple of ints: (4,) or (2, 3). */
export function pyTuple(xs: readonly number[]): string {
  return xs.length === 1 ? `(${xs[0]},)` : `(${xs.join(", ")})`;
}

/** PyTorch's _addindent: every line after the first indented by `spaces`. */
export function addIndent(s: string, spaces: number): string {
  const lines = s.split("\n");
  if (lines.length === 1) return s;
  const pad = " ".repeat(spaces);
  return [lines[0], ...lines.slice(1).map((l) => pad + l)].join("\n");
}
