#!/usr/bin/env bash
# Installs the system libraries nngc links against, when they are missing:
# TinyCC (libtcc-dev: in-process C compilation), OpenBLAS (matrix products; loaded at run time,
# see docs/blas.md), cpu_features (the CPU's features from cpuid, which choose the BLAS kernels)
# a C compiler (gcc: the optimised tier, and its tests), valgrind (the memcheck tests of the
# generated code), python3 with numpy (the gallery's scripts), python3-venv (scripts/test-venv.sh:
# the tests' cross-checks with numpy, safetensors, onnx and onnxruntime) and Open MPI
# (libopenmpi-dev, openmpi-bin: data-parallel training under mpirun, docs/distributed.md), and for
# the tests of exported C libraries (docs/interop.md) g++, gfortran and OpenBLAS's <cblas.h>
# (libopenblas-dev).
set -euo pipefail

packages=(libtcc-dev libopenblas0 libcpu-features-dev gcc valgrind python3 python3-numpy python3-venv libopenmpi-dev openmpi-bin
          g++ gfortran libopenblas-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing ${missing[*]} ..." >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null; then
  sudo="sudo"
else
  echo "error: ${missing[*]} missing and not root; run: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
