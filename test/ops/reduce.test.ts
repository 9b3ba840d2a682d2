// Reductions over dims with keepdim against PyTorch 1.13 (fixtures).
import { runCases } from "../helpers/ops_fixture.js";

runCases("reductions", ["sum", "mean", "amax", "amin", "var", "std", "norm", "argmax", "argmin"]);
