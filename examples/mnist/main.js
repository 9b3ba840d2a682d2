// `npm start`: trains 784-256-10 ReLU on MNIST (Kaiming init, Adam), then a
// compact study of initialisation and optimisation, and writes
// results/report.html and results/report.json.
import { defaultRun } from "./commands.js";

await defaultRun();
