// Audit round 2: init against PyTorch 1.13 — calculateGain for every
// nonlinearity string and leaky_relu slopes (default, 0, 0.2, 1, −0.5), and
// the text of every init error: wasmtrain's message contains PyTorch's
// ValueError message verbatim (same words and capitalisation), after its own
// "init.<function>:" prefix. Fixture: test/fixtures/audit2.json
// (make_audit2_fixtures.py); gains compared to 1e-15 relative.
import { describe, expect, it } from "vitest";
import { empty, init } from "../../src/index.js";
import { expectClose, fixture } from "./round2_fixture.js";

const f = fixture.init as { gains: [string, number | null, number][]; errors: Record<string, string> };

const calls: Record<string, () => unknown> = {
  "calculateGain softplus": () => init.calculateGain("softplus"),
  "eye [3, 2, 2]": () => init.eye(empty([3, 2, 2])),
  "eye [3]": () => init.eye(empty([3])),
  "sparse [3, 2, 2]": () => init.sparse(empty([3, 2, 2]), 0.5),
  "orthogonal [3]": () => init.orthogonal(empty([3])),
  "dirac [2, 2]": () => init.dirac(empty([2, 2])),
  "dirac [4, 2, 3] groups 3": () => init.dirac(empty([4, 2, 3]), { groups: 3 }),
  "kaimingUniform mode fan_avg": () => init.kaimingUniform(empty([2, 3]), { mode: "fan_avg" as never }),
  "kaimingNormal mode fan_avg": () => init.kaimingNormal(empty([2, 3]), { mode: "fan_avg" as never }),
  "xavierUniform [3]": () => init.xavierUniform(empty([3])),
  "kaimingNormal nonlinearity gelu": () => init.kaimingNormal(empty([2, 3]), { nonlinearity: "gelu" as never }),
  "calculateGain leaky_relu x": () => init.calculateGain("leaky_relu", "x" as never),
};

describe("audit round 2: init against PyTorch 1.13", () => {
  for (const [name, param, gain] of f.gains) {
    it(`calculateGain(${JSON.stringify(name)}${param === null ? "" : `, ${param}`})`, () => {
      expectClose([init.calculateGain(name, param ?? undefined)], [gain], "gain", 1e-15, 0);
    });
  }
  for (const [what, message] of Object.entries(f.errors)) {
    it(`error text: ${what}`, () => {
      expect(calls[what], `no call for ${what}`).toBeTypeOf("function");
      expect(calls[what]).toThrow(message);
    });
  }
});
