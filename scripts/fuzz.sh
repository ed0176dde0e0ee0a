#!/usr/bin/env bash
# Runs every fuzz target of Fuzz/ (built by `make fuzz`) for SECONDS each, on a corpus that
# persists in .build/fuzz/corpus/TARGET and starts from the seeds: the gallery's .nng files and
# the graphs written in the tests (front end and backends), the gallery's data files and small
# valid .npy, IDX, safetensors and checkpoint files (readers). Exit status 1 on a crash or hang
# of any target; the input that caused it is saved in .build/fuzz/artifacts/TARGET/ and must
# become a regression test (docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
bin=$(swift build --package-path Fuzz --scratch-path .build/fuzz -c release --show-bin-path)
root=.build/fuzz
seeds=$root/seeds
rm -rf "$seeds"
mkdir -p "$seeds/programs" "$seeds/data"

# Programs: every gallery graph, and every graph written in a test (multi-line string literals
# and one-line "graph …" literals of Tests/; interpolations stay as written: they are seeds).
cp Graphs/*.nng "$seeds/programs/"
python3 - "$seeds/programs" <<'PY'
import pathlib, re, sys, textwrap
out = pathlib.Path(sys.argv[1])
n = 0
for f in sorted(pathlib.Path("Tests").rglob("*.swift")):
    text = f.read_text()
    blocks = [textwrap.dedent(b) for b in re.findall(r'"""\n(.*?)"""', text, re.S)]
    blocks += [b.replace("\\n", "\n") for b in re.findall(r'"(graph [^"\n]*)"', text)]
    for b in blocks:
        if "graph" in b:
            (out / f"test-{n:04d}.nng").write_text(b)
            n += 1
PY
# Data: the first byte picks the reader (0 CSV, 1 .npy, 2 IDX, 3 safetensors, 4 history CSV,
# 5 checkpoint).
for f in Graphs/data/*.csv; do { printf '\x00'; cat "$f"; } > "$seeds/data/csv-$(basename "$f")"; done
python3 - "$seeds/data" <<'PY'
import json, struct, sys
out = sys.argv[1]
header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }"
header += " " * (64 - (10 + len(header) + 1) % 64) + "\n"
npy = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + struct.pack("<2d", 1.0, 2.0)
idx = b"\x00\x00\x08\x02" + struct.pack(">2I", 2, 2) + bytes([1, 2, 3, 4])
meta = b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
meta += b" " * (-len(meta) % 8)
st = struct.pack("<Q", len(meta)) + meta + struct.pack("<2f", 1.0, 2.0)
def safetensors(tensors, metadata):
    header, data = {"__metadata__": metadata}, b""
    for name, values in tensors.items():
        body = struct.pack(f"<{len(values)}f", *values)
        shape = [] if name.endswith("optimizer.step") else ([2, 2] if len(values) == 4 else [len(values)])
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [len(data), len(data) + len(body)]}
        data += body
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data
# A valid checkpoint of the fuzz target's graph (params w [2, 2], b [2]; Adam).
tensors = {"param/w": [0.5, -1, 2, 0], "param/b": [1, 2], "optimizer/optimizer.step": [3]}
for p, n in [("w", 4), ("b", 2)]:
    for slot in ["m", "v"]:
        tensors[f"optimizer/{p}.{slot}"] = [0.25] * n
meta = {"format": "nngc-checkpoint-1", "graph": "g", "epoch": "3", "step": "3", "seed": "0", "best_loss": "inf",
        "best_epoch": "0", "epochs_without_improvement": "0", "history": "epoch,step,train_loss,lr,seconds\n1,1,0.5,0.001,0.01\n"}
checkpoint = safetensors(tensors, meta)
for name, selector, body in [("npy-f8", 1, npy), ("idx-u8", 2, idx), ("safetensors-w", 3, st), ("checkpoint", 5, checkpoint)]:
    open(f"{out}/{name}", "wb").write(bytes([selector]) + body)
PY
printf '\x04epoch,step,train_loss,lr,seconds\n1,2,0.5,0.1,0.01\n' > "$seeds/data/history"

# Swift keeps class references in the spare bits of enum payloads (indirect cases, multi-payload
# enums), which LeakSanitizer does not see as pointers: it reports the parser's expression nodes
# and tensors' storage as leaked when they are not. Leak checking is off (-detect_leaks=0 for
# libFuzzer's checks between inputs, ASAN_OPTIONS for the check at exit).
export ASAN_OPTIONS=detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}
status=0
for target in fuzz-frontend fuzz-data fuzz-backends; do
  case $target in fuzz-data) seed=$seeds/data ;; *) seed=$seeds/programs ;; esac
  corpus=$root/corpus/$target
  artifacts=$root/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  echo "== $target: $seconds s" >&2
  if ! "$bin/$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=8192 -detect_leaks=0 \
       -artifact_prefix="$artifacts/" -print_final_stats=1 "$corpus" "$seed" 2> "$root/$target.log"; then
    echo "error: $target found a failure; see $root/$target.log and $artifacts/" >&2
    tail -n 40 "$root/$target.log" >&2
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$root/$target.log" >&2 || true
  fi
done
exit $status
