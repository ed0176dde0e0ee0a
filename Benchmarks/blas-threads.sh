#!/usr/bin/env bash
# One BLAS thread against nngc's choice per product (docs/blas.md: two threads for products of
# at least 2^24 multiply-adds), on the MNIST-shaped MLP and the wide MLP 784-1024-1024-10 at
# batch 256: ms per training step, interleaved rounds, medians. A benchmark, not a test.
#
#   bash Benchmarks/blas-threads.sh [ROUNDS]      (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
swift build -c release --product nngc-bench >/dev/null
ms() { env "$@" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p'; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for model in mlp wide; do
  steps=$([ "$model" = mlp ] && echo 350 || echo 21)
  one=(); auto=()
  for r in $(seq "$rounds"); do
    one+=("$(ms OPENBLAS_NUM_THREADS=1 .build/release/nngc-bench steps "$model" --steps "$steps")")
    auto+=("$(ms -u OPENBLAS_NUM_THREADS -u GOTO_NUM_THREADS -u OMP_NUM_THREADS .build/release/nngc-bench steps "$model" --steps "$steps")")
    echo "$model round $r: 1 thread ${one[-1]} ms, nngc's choice ${auto[-1]} ms"
  done
  a=$(median "${one[@]}"); b=$(median "${auto[@]}")
  echo "$model: medians of $rounds rounds: 1 thread $a ms, nngc's choice $b ms, speed-up $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.2f", a / b}')×"
done
