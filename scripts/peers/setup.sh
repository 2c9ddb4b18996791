#!/usr/bin/env bash
# Creates the peers' virtualenv (.venv-peers/, gitignored) with CPU torch, torchvision, grad-cam,
# captum, zennit, onnx, safetensors, numpy, PyAV (the video-throughput rows decode with it), and
# transformers, timm and lxt (the transformer fixtures and the LXT parity references).
# Only scripts/peers/export.py and benchmarks/peers.sh need it; `make test` uses the committed
# fixtures under Tests/Fixtures/peers/ and needs no Python.
#
#   scripts/peers/setup.sh            # once (network: PyPI)
#   .venv-peers/bin/python scripts/peers/export.py
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${PEERS_VENV:-$ROOT/.venv-peers}"
TORCH_WHEEL="${TORCH_WHEEL:-/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl}"

python3 -m venv "$VENV"
PIP=("$VENV/bin/pip" install --disable-pip-version-check -q)
"${PIP[@]}" --upgrade pip
if [[ -f "$TORCH_WHEEL" ]]; then
  "${PIP[@]}" "$TORCH_WHEEL"
else
  # PyPI's default torch pulls the CUDA libraries; the CPU index keeps it to ~200 MB.
  "${PIP[@]}" torch --index-url https://download.pytorch.org/whl/cpu
fi
TORCH_VERSION="$("$VENV/bin/python" -c 'import torch; print(torch.__version__.split("+")[0])')"
# torchvision is optional (export.py defines every model in plain torch); install it when a build
# matching this torch exists, without letting pip replace torch.
"${PIP[@]}" --no-deps torchvision --index-url https://download.pytorch.org/whl/cpu 2>/dev/null \
  || "${PIP[@]}" --no-deps torchvision 2>/dev/null \
  || echo "setup.sh: no torchvision for torch $TORCH_VERSION; continuing without it"
"${PIP[@]}" numpy safetensors onnx onnxscript captum zennit grad-cam av transformers timm lxt "torch==$TORCH_VERSION.*"
"$VENV/bin/python" - <<'PY'
import importlib.metadata as m
for name in ["torch", "torchvision", "captum", "grad-cam", "zennit", "onnx", "safetensors", "numpy", "av",
             "transformers", "timm", "lxt"]:
    try:
        print(f"{name} {m.version(name)}")
    except m.PackageNotFoundError:
        print(f"{name} (not installed)")
PY
