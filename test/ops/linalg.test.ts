// matmul and linear against PyTorch 1.13 (fixtures).
import { runCases } from "../helpers/ops_fixture.js";

runCases("linear algebra", ["matmul", "linear"]);
