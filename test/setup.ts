// Runs before every test file: instantiate the build this project tests.
import { ready, type BuildName } from "../src/index.js";

await ready({ build: (process.env.WASMTRAIN_BUILD ?? "simd") as BuildName });
