// Elementwise operations with broadcasting against PyTorch 1.13 (fixtures).
import { runCases } from "../helpers/ops_fixture.js";

runCases("elementwise", ["add", "sub", "mul", "div", "maximum", "minimum", "pow", "where", "neg", "exp", "log", "sqrt", "rsqrt", "abs", "square", "relu", "tanh", "sigmoid", "gelu", "leakyRelu", "clamp"]);
