#!/usr/bin/env bash
# sgemm N³ at one thread: nngc's BLAS (OpenBLAS with the kernels nngc chose from cpuid)
# beside NumPy's own OpenBLAS (the wheel's), and Debian's BLIS when it is installed
# (libblis4), interleaved rounds, medians of the rounds. A benchmark, not a test.
#
#   bash Benchmarks/sgemm-vs-numpy.sh [N] [ROUNDS]      (default 1024, 7)
#
# NumPy comes from PyPI into the virtual environment .build/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1024}
rounds=${2:-7}

swift build -c release --product nngc-bench >/dev/null
venv=.build/venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import numpy" 2>/dev/null || "$venv/bin/pip" install -q numpy
blis=$(ls /usr/lib/x86_64-linux-gnu/libblis.so.4 2>/dev/null || true)

export OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 OMP_NUM_THREADS=1
numpy_gflops() {
  "$venv/bin/python" - "$n" <<'PY'
import sys, time
import numpy as np
n = int(sys.argv[1])
a = (np.arange(n * n) % 7 * 0.1).astype(np.float32).reshape(n, n)
b = (np.arange(n * n) % 5 * 0.2).astype(np.float32).reshape(n, n)
a @ b
per = max(1, -(-6e9 // (2 * n ** 3)))   # about 0.2 s per timing, as nngc-bench sgemm
times = []
for _ in range(7):
    t = time.perf_counter()
    for _ in range(int(per)):
        a @ b
    times.append(time.perf_counter() - t)
times.sort()
print("%.1f" % (2 * n ** 3 * per / times[3] / 1e9))
PY
}
bench_gflops() { .build/release/nngc-bench sgemm "$n" "$@" | sed -n 's/.*median \([0-9.]*\) GFLOP.*/\1/p'; }

.build/release/nngc-bench sgemm "$n" | head -3
"$venv/bin/python" -c "import numpy; print('NumPy', numpy.__version__, '-', numpy.show_config(mode='dicts')['Build Dependencies']['blas']['openblas configuration'])" 2>/dev/null || true
[ -n "$blis" ] && echo "BLIS: $blis"
ours=(); theirs=(); others=()
for r in $(seq "$rounds"); do
  # Alternate who goes first, so that neither always follows the other's warm caches.
  if (( r % 2 )); then ours+=("$(bench_gflops)"); theirs+=("$(numpy_gflops)")
  else theirs+=("$(numpy_gflops)"); ours+=("$(bench_gflops)"); fi
  line="round $r: nngc ${ours[-1]}, NumPy ${theirs[-1]}"
  if [ -n "$blis" ]; then others+=("$(bench_gflops --library "$blis")"); line+=", BLIS ${others[-1]}"; fi
  echo "$line GFLOP/s"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
m1=$(median "${ours[@]}"); m2=$(median "${theirs[@]}")
summary="sgemm ${n}³, 1 thread, medians of $rounds rounds: nngc $m1 GFLOP/s, NumPy $m2 GFLOP/s"
[ -n "$blis" ] && summary+=", BLIS $(median "${others[@]}") GFLOP/s"
echo "$summary; nngc/NumPy $(awk -v a="$m1" -v b="$m2" 'BEGIN {printf "%.2f", a / b}')"
