// matmul and linear against PyTorch 1.13 (fixtures).
import { runCases } from "./fixture_cases.js";

runCases("linear algebra", ["matmul", "linear"]);
