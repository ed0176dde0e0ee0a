#!/usr/bin/env bash
# Creates the Python environment the tests cross-check against (make test calls it): numpy,
# safetensors, onnx and onnxruntime from PyPI and PyTorch's CPU build, in the build folder
# (.build/test-venv, about 1 GB). Tests that need it fail, rather than skip, when it is missing (docs/interop.md).
set -euo pipefail

venv=${1:-.build/test-venv}
python=${PYTHON:-python3}
modules="numpy, safetensors, onnx, onnxruntime, torch"
# PyPI's torch for Linux is the CUDA build (4.9 GB with its dependencies, scripts/bench-venv.sh);
# the CPU build (190 MB) comes from a wheel directory pip is configured with (find-links) when
# it holds one, else from PyTorch's own index.
torch_cpu="torch==2.13.0+cpu"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  exit 0
fi
"$python" -m venv "$venv" || {
  echo "error: python3 -m venv failed; install python3-venv (apt-get install python3-venv)" >&2
  exit 1
}
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check numpy safetensors onnx onnxruntime
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$torch_cpu" 2>/dev/null ||
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$torch_cpu" \
    --index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple
"$venv/bin/python" -c "import onnx, onnxruntime, torch; print('test venv: onnx', onnx.__version__, '| onnxruntime', onnxruntime.__version__, '| torch', torch.__version__)"
