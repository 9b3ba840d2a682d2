"""Step 2: continue the wasmtrain run in PyTorch with DistributedDataParallel
(2 processes, gloo backend, CPU), then save it back in wasmtrain's format.

Usage: python3 examples/continue-in-pytorch/ddp.py <work dir> [epochs]
Reads <work dir>/checkpoint.safetensors and data.safetensors (from train.mjs),
writes <work dir>/continued.safetensors.
"""
import os
import sys

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import wasmtrain_checkpoint as ckpt  # noqa: E402

WORLD = 2
BATCH = 64  # global batch, as in wasmtrain: 32 per process


def build():
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    return model, optimizer, scheduler


def worker(rank, work, epochs):
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", "29533")
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    model, optimizer, scheduler = build()
    # Every process loads the checkpoint (DDP would also broadcast rank 0's weights).
    extra = ckpt.load(os.path.join(work, "checkpoint.safetensors"), model, optimizer, scheduler)
    ddp = DistributedDataParallel(model)
    data, _ = ckpt.load_safetensors(os.path.join(work, "data.safetensors"))
    x, y = data["train_x"], data["train_y"].long()
    n = x.shape[0]
    generator = torch.Generator().manual_seed(2)
    for epoch in range(extra["epoch"] + 1, extra["epoch"] + epochs + 1):
        order = torch.randperm(n, generator=generator)  # the same on every process
        ddp.train()
        total, count = 0.0, 0
        for start in range(0, n, BATCH):
            idx = order[start:start + BATCH][rank::WORLD]  # this process's half of the global batch
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(ddp(x[idx]), y[idx])
            loss.backward()  # DDP averages the gradients over the processes
            optimizer.step()
            total += loss.item() * len(idx)
            count += len(idx)
        scheduler.step()
        if rank == 0:
            print(f"PyTorch DDP ({WORLD} processes, gloo): epoch {epoch}, train loss {total / count:.4f} (rank 0's half)", flush=True)
    if rank == 0:
        with torch.no_grad():
            model.eval()
            correct = (model(data["held_out_x"]).argmax(1) == data["held_out_y"].long()).float().mean().item()
        ckpt.save(os.path.join(work, "continued.safetensors"), ddp, optimizer, scheduler,
                  extra={"epoch": extra["epoch"] + epochs, "heldOutAccuracy": correct})
        print(f"PyTorch: held-out accuracy {100 * correct:.2f}%, lr now {optimizer.param_groups[0]['lr']:.6g}; "
              f"wrote {work}/continued.safetensors", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    work = sys.argv[1] if len(sys.argv) > 1 else "work"
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    mp.spawn(worker, args=(work, epochs), nprocs=WORLD, join=True)
