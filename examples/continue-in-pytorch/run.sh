#!/bin/sh
# Train in wasmtrain, continue in PyTorch with DistributedDataParallel (2
# processes, gloo, CPU), load the result back into wasmtrain and evaluate.
# Usage: sh examples/continue-in-pytorch/run.sh [work dir]   (from the repository root)
# Needs the built library (npm install / npm run build) and PyTorch: the
# interpreter is $PYTHON, else the first of python3, /usr/bin/python3 that imports torch.
set -e
here=$(dirname "$0")
work=${1:-$(mktemp -d)}
if [ -z "$PYTHON" ]; then
  for p in python3 /usr/bin/python3; do
    if "$p" -c "import torch" 2>/dev/null; then PYTHON=$p; break; fi
  done
fi
[ -n "$PYTHON" ] || { echo "PyTorch not found: install it (pip install torch, or apt-get install python3-torch) or set PYTHON" >&2; exit 1; }
node "$here/train.mjs" "$work"
"$PYTHON" "$here/ddp.py" "$work" 2
node "$here/evaluate.mjs" "$work"
