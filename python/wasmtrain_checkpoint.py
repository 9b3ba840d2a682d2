"""Read and write wasmtrain checkpoints from PyTorch (standard library + torch).

A wasmtrain checkpoint is one safetensors file in PyTorch 1.13's names:

    model.<key>                       model.state_dict() (float32; BatchNorm's
                                      num_batches_tracked as a 0-d int64)
    optimizer.state.<index>.<name>    optimizer.state_dict()['state'] (exp_avg,
                                      step, ...; scalars as 0-d float32)
    __metadata__ (JSON strings):
      format                 "wasmtrain-checkpoint/1"
      optimizer.class        type(optimizer).__name__
      optimizer.param_groups optimizer.state_dict()['param_groups']
      scheduler              scheduler.state_dict(), callables left out
      extra                  any JSON data

NaN and +-inf in the JSON are written as the strings "NaN", "Infinity",
"-Infinity". Usage:

    import wasmtrain_checkpoint as ckpt
    ckpt.save("run.safetensors", model, optimizer, scheduler, extra={"epoch": 3})
    extra = ckpt.load("run.safetensors", model, optimizer, scheduler)

A model wrapped in DistributedDataParallel is saved and loaded through its
.module (the keys carry no "module." prefix).
"""
import collections
import ctypes
import json
import math
import struct

import torch

FORMAT = "wasmtrain-checkpoint/1"

_DTYPES = {
    "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
    "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool,
}

# PyTorch 1.13 keeps these optimizers' "step" as a Python int, the others as a 0-d tensor.
_INT_STEP = ("RMSprop", "Adadelta")


def _encode(v):
    """JSON-ready data: tuples as lists, non-finite floats as strings, callables dropped."""
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, dict):
        return {str(k): _encode(x) for k, x in v.items() if not callable(x)}
    if isinstance(v, (list, tuple)):
        return [_encode(x) for x in v]
    if torch.is_tensor(v):
        return _encode(v.item())
    return v


def _decode(v):
    if v in ("NaN", "Infinity", "-Infinity"):
        return float(v.replace("Infinity", "inf"))
    if isinstance(v, dict):
        return {k: _decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_decode(x) for x in v]
    return v


def _unwrap(model):
    return model.module if isinstance(model, torch.nn.parallel.DistributedDataParallel) else model


def _write(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs = []
    offset = 0
    for name, t in tensors:
        t = t.detach().cpu().contiguous()
        dtype = "I64" if t.dtype == torch.int64 else "F32"
        t = t.to(torch.int64 if dtype == "I64" else torch.float32)
        n = t.numel() * t.element_size()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        blobs.append((t, n))
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for t, n in blobs:
            if n:
                f.write(ctypes.string_at(t.data_ptr(), n))


def load_safetensors(path):
    """Reads any safetensors file (F32, F16, BF16, F64, I64, I32, U8, BOOL): ({name: tensor}, metadata)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: {len(data)} bytes, too short for a safetensors file")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} is beyond the end of the file ({len(data)} bytes)")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {}) or {}
    buf = bytearray(data[8 + n:])
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has unsupported dtype {info['dtype']!r}")
        begin, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        count = math.prod(info["shape"])
        t = torch.frombuffer(buf, dtype=dtype, offset=begin, count=count) if count else torch.empty(0, dtype=dtype)
        if t.numel() * t.element_size() != end - begin:
            raise ValueError(f"{path}: tensor {name!r}: shape {info['shape']} does not match data_offsets {info['data_offsets']}")
        tensors[name] = t.reshape(info["shape"]).clone()
    return tensors, metadata


def save(path, model, optimizer=None, scheduler=None, extra=None):
    """Writes model (and optimizer, scheduler, extra JSON data) as a wasmtrain checkpoint."""
    tensors = [("model." + k, v) for k, v in _unwrap(model).state_dict().items()]
    metadata = {"format": FORMAT}
    if optimizer is not None:
        sd = optimizer.state_dict()
        for index, state in sorted(sd["state"].items()):
            for name, v in state.items():
                if v is None:
                    continue
                t = v if torch.is_tensor(v) else torch.tensor(float(v))
                tensors.append((f"optimizer.state.{index}.{name}", t.to(torch.float32)))
        metadata["optimizer.class"] = type(optimizer).__name__
        metadata["optimizer.param_groups"] = json.dumps(_encode(sd["param_groups"]))
    if scheduler is not None:
        metadata["scheduler"] = json.dumps(_encode(scheduler.state_dict()))
    if extra is not None:
        metadata["extra"] = json.dumps(_encode(extra))
    _write(path, tensors, metadata)


def _scheduler_state(scheduler, sd):
    """PyTorch's own types where JSON lost them (MultiStepLR's Counter), for nested schedulers too."""
    sd = dict(sd)
    if isinstance(scheduler, torch.optim.lr_scheduler.MultiStepLR):
        sd["milestones"] = collections.Counter({int(k): v for k, v in sd["milestones"].items()})
    inner = getattr(scheduler, "_schedulers", None)
    if inner is not None and "_schedulers" in sd:
        sd["_schedulers"] = [_scheduler_state(s, x) for s, x in zip(inner, sd["_schedulers"])]
    return sd


def load(path, model, optimizer=None, scheduler=None):
    """Loads a wasmtrain checkpoint into model (and optimizer, scheduler); returns its extra data."""
    tensors, metadata = load_safetensors(path)
    if metadata.get("format") != FORMAT:
        raise ValueError(f"{path}: not a wasmtrain checkpoint (format {metadata.get('format')!r})")
    model = _unwrap(model)
    own = model.state_dict()
    model_sd = {}
    for k, v in tensors.items():
        if k.startswith("model."):
            key = k[len("model."):]
            model_sd[key] = v.to(own[key].dtype) if key in own else v
    model.load_state_dict(model_sd)
    if optimizer is not None:
        if "optimizer.param_groups" not in metadata:
            raise ValueError(f"{path}: the checkpoint holds no optimizer state")
        cls = metadata.get("optimizer.class")
        if cls is not None and cls != type(optimizer).__name__:
            raise ValueError(f"{path}: the checkpoint's optimizer is {cls}, not {type(optimizer).__name__}")
        groups = _decode(json.loads(metadata["optimizer.param_groups"]))
        current = optimizer.state_dict()["param_groups"]
        if len(groups) != len(current):
            raise ValueError(f"{path}: {len(groups)} parameter groups in the checkpoint, {len(current)} in the optimizer")
        merged = []
        for i, (mine, saved) in enumerate(zip(current, groups)):
            if saved.get("grad_centralization"):
                raise ValueError(f"{path}: param_groups[{i}] uses wasmtrain's gradient centralization, which PyTorch's optimizers lack")
            g = dict(mine)
            g.update({k: tuple(v) if k == "betas" else v for k, v in saved.items() if k != "grad_centralization"})
            merged.append(g)
        state = collections.defaultdict(dict)
        for k, v in tensors.items():
            if k.startswith("optimizer.state."):
                index, name = k[len("optimizer.state."):].split(".", 1)
                if name == "step" and type(optimizer).__name__ in _INT_STEP:
                    v = int(v.item())
                state[int(index)][name] = v
        optimizer.load_state_dict({"state": dict(state), "param_groups": merged})
    if scheduler is not None:
        if "scheduler" not in metadata:
            raise ValueError(f"{path}: the checkpoint holds no scheduler state")
        scheduler.load_state_dict(_scheduler_state(scheduler, _decode(json.loads(metadata["scheduler"]))))
    return _decode(json.loads(metadata["extra"])) if "extra" in metadata else None
