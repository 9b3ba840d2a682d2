// Node's side of the same-numbers check: run in a consumer app directory,
// `node node-numbers.mjs <build>` prints numbers() as JSON, importing the
// installed package exactly as a Node user does.
import * as wt from "wasmtrain";
import { numbers } from "./numbers.js";

const build = process.argv[2] || undefined;
process.stdout.write(JSON.stringify(await numbers(wt, { build })));
