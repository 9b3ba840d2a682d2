// Identity: returns its input (PyTorch's nn.Identity), a placeholder layer.
import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";

export class Identity extends Module {
  static override readonly moduleName: string = "Identity";

  /** PyTorch's Identity accepts and ignores any constructor arguments. */
  constructor(..._args: unknown[]) {
    super();
  }

  override forward(x: Tensor): Tensor {
    this.checkTensorInput(x);
    return x;
  }
}
