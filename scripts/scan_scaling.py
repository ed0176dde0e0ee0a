#!/usr/bin/env python3
"""Compile time and generated C size of Graphs/pendulum_rnn.nng against the sequence length
(issue 15): the graph is rewritten to read L observed angles (L = 20, 200, 2000; the 50
predicted steps stay), then `nngc compile` (parse, check, differentiate, optimise, generate
and compile C: forward, backward and the fused training step) is timed (best of 5 runs) and
the C it emits is measured. A `scan` is one node whatever L is, so neither may grow with L.
Prints a Markdown table.

    python3 scripts/scan_scaling.py --nngc .build/release/nngc [--lengths 20,200,2000]
"""
import argparse, math, os, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def variant(source, observed):
    """pendulum_rnn reading `observed` angles: theta has observed + 50 steps."""
    total = observed + 50
    return (source.replace("f32[B, 70, 1]", f"f32[B, {total}, 1]")
                  .replace("start = 0, end = 19)", f"start = 0, end = {observed - 1})")
                  .replace("start = 19, end = 20)", f"start = {observed - 1}, end = {observed})")
                  .replace("start = 20, end = 70)", f"start = {observed}, end = {total})"))


def timed(args):
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        best = min(best, time.perf_counter() - start)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{r.stderr.decode()[:2000]}")
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nngc", default=os.path.join(ROOT, ".build/release/nngc"))
    ap.add_argument("--lengths", default="20,200,2000")
    a = ap.parse_args()
    source = open(os.path.join(ROOT, "Graphs/pendulum_rnn.nng")).read()
    print("| observed steps L | theta | compile (s) | C bytes | C lines | forward nodes |")
    print("|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as d:
        for n in [int(x) for x in a.lengths.split(",")]:
            path = os.path.join(d, f"pendulum_{n}.nng")
            open(path, "w").write(variant(source, n))
            seconds = timed([a.nngc, "compile", path])
            out = os.path.join(d, f"out_{n}")
            subprocess.run([a.nngc, "compile", path, "--emit", "c,ir", "-o", out], check=True, stdout=subprocess.DEVNULL)
            c = open(os.path.join(out, "pendulum_rnn.c")).read()
            ir = open(os.path.join(out, "pendulum_rnn.ir.nng")).read()
            nodes = sum(1 for line in ir.split("graph pendulum_rnn {")[1].splitlines() if " = " in line)
            print(f"| {n} | f32[B, {n + 50}, 1] | {seconds:.3f} | {len(c.encode()):,} | {c.count(chr(10)):,} | {nodes} |")


if __name__ == "__main__":
    main()
