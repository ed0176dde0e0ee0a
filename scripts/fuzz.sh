#!/usr/bin/env bash
# Runs every fuzz target of Fuzz/ (built by `make fuzz`) for SECONDS each, on a corpus that
# persists in .build/fuzz/corpus/TARGET and starts from the seeds: the gallery's .nng files
# (front end and backends) and its data files (readers). Exit status 1 on the first crash, hang
# or leak; the input that caused it is saved in .build/fuzz/artifacts/TARGET/ and must become a
# regression test (docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
bin=$(swift build --package-path Fuzz --scratch-path .build/fuzz -c release --show-bin-path)
root=.build/fuzz
seeds=$root/seeds
rm -rf "$seeds"
mkdir -p "$seeds/programs" "$seeds/data"

# Programs: every gallery graph.
cp Graphs/*.nng "$seeds/programs/"
# Data: the first byte picks the reader (0 CSV, 1 .npy, 2 IDX, 3 safetensors, 4 history CSV).
for f in Graphs/data/*.csv; do { printf '\x00'; cat "$f"; } > "$seeds/data/csv-$(basename "$f")"; done
python3 - "$seeds/data" <<'PY'
import struct, sys
out = sys.argv[1]
header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack("<2d", 1.0, 2.0)
idx = b"\x00\x00\x08\x02" + struct.pack(">2I", 2, 2) + bytes([1, 2, 3, 4])
meta = b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
meta += b" " * (-len(meta) % 8)
st = struct.pack("<Q", len(meta)) + meta + struct.pack("<2f", 1.0, 2.0)
for name, selector, body in [("npy-f8", 1, npy), ("idx-u8", 2, idx), ("safetensors-w", 3, st)]:
    open(f"{out}/{name}", "wb").write(bytes([selector]) + body)
PY
printf '\x04epoch,step,train_loss,lr,seconds\n1,2,0.5,0.1,0.01\n' > "$seeds/data/history"

status=0
for target in fuzz-frontend fuzz-data fuzz-backends; do
  case $target in fuzz-data) seed=$seeds/data ;; *) seed=$seeds/programs ;; esac
  corpus=$root/corpus/$target
  artifacts=$root/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  echo "== $target: $seconds s" >&2
  if ! "$bin/$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=8192 \
       -artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" "$seed" 2> "$root/$target.log"; then
    echo "error: $target found a failure; see $root/$target.log and $artifacts/" >&2
    tail -n 40 "$root/$target.log" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$root/$target.log" >&2 || true
  fi
done
exit $status
