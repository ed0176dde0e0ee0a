#!/usr/bin/env bash
# Creates the Python environment of `make bench` (Benchmarks/peers): PyTorch (CPU use only),
# JAX with optax, numpy and safetensors from PyPI, in the build folder.
#
# PyPI's torch for Linux x86_64 is the CUDA build: its libraries link the CUDA runtime
# libraries (libcudart, cuBLAS, cuDNN, NCCL, …) at load time, so `import torch` fails
# without the nvidia-* packages even when only the CPU is used, and no CPU-only torch is on
# PyPI. The lightest working install is therefore torch without its dependencies, then every
# requirement of torch except triton (the GPU kernel compiler: 1 GB, not needed on the CPU).
# The environment is about 4.9 GB instead of 5.9 GB.
set -euo pipefail

venv=${1:-.build/bench-venv}
python=${PYTHON:-python3}
torch_version=2.15.0

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import torch, jax, optax, safetensors" 2>/dev/null; then
  exit 0
fi
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
"${pip[@]}" --no-deps "torch==$torch_version"
"${pip[@]}" packaging
requirements=$("$venv/bin/python" - <<'PY'
from importlib.metadata import requires
from packaging.requirements import Requirement
for line in requires("torch") or []:
    r = Requirement(line)
    if r.name != "triton" and (r.marker is None or r.marker.evaluate({"extra": ""})):
        print(str(r).split(";")[0])
PY
)
# shellcheck disable=SC2086
"${pip[@]}" $requirements jax optax numpy safetensors
"$venv/bin/python" -c "import torch, jax, optax; print('bench venv: torch', torch.__version__, '| jax', jax.__version__)"
