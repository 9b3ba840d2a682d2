// torch.nn: the modules and losses an MLP needs.
export { Module, type StateDict } from "./module.js";
