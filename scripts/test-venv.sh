#!/usr/bin/env bash
# Creates the Python environment the tests cross-check against (make test calls it): numpy,
# safetensors, onnx and onnxruntime from PyPI, in the build folder (.build/test-venv, about
# 150 MB). Tests that need it fail, rather than skip, when it is missing (docs/interop.md).
set -euo pipefail

venv=${1:-.build/test-venv}
python=${PYTHON:-python3}
modules="numpy, safetensors, onnx, onnxruntime"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import $modules" 2>/dev/null; then
  exit 0
fi
"$python" -m venv "$venv" || {
  echo "error: python3 -m venv failed; install python3-venv (apt-get install python3-venv)" >&2
  exit 1
}
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check numpy safetensors onnx onnxruntime
"$venv/bin/python" -c "import onnx, onnxruntime; print('test venv: onnx', onnx.__version__, '| onnxruntime', onnxruntime.__version__)"
