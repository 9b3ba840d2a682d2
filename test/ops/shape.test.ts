// Shape operations against PyTorch 1.13 (fixtures).
import { runCases } from "../helpers/ops_fixture.js";

runCases("shape", ["reshape", "view", "flatten", "squeeze", "unsqueeze", "transpose", "t", "permute", "expand", "narrow", "cat", "stack", "split", "chunk", "indexSelect"]);
