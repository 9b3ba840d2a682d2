// Reductions over dims with keepdim against PyTorch 1.13 (fixtures).
import { runCases } from "./fixture_cases.js";

runCases("reductions", ["sum", "mean", "amax", "amin", "var", "std", "norm", "argmax", "argmin"]);
