// torch.optim: optimizers, utilities, learning-rate schedules and SWA.
