#!/usr/bin/env python3
"""Compile time and generated C size of Graphs/pendulum_rnn.nng against the sequence length
(issue 15): the graph is rewritten to read L observed angles (L = 20, 200, 2000; the 50
predicted steps stay), then `nngc compile` (parse, check, differentiate, optimise, generate
and compile C: forward, backward and the fused training step) is timed (best of 9 runs) and
the C it emits is measured. A `scan` is one node whatever L is, so neither may grow with L.
The runs of the lengths are interleaved (round-robin), so a change of the machine's load
does not fall on one length. Prints a Markdown table.

    python3 scripts/scan_scaling.py --nngc .build/release/nngc [--lengths 20,200,2000]
"""
import argparse, math, os, subprocess, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def variant(source, observed):
    """pendulum_rnn reading `observed` angles: theta has observed + 50 steps."""
    total, L = observed + 50, observed
    out = source
    for a, b in [("f32[B, 70, 1]", f"f32[B, {total}, 1]"),
                 ("slice(theta, axis = 1, start = 0, end = 20)", f"slice(theta, axis = 1, start = 0, end = {L})"),
                 ("slice(theta, axis = 1, start = 20, end = 70)", f"slice(theta, axis = 1, start = {L}, end = {total})"),
                 ("slice(seen, axis = 1, start = 1, end = 20)", f"slice(seen, axis = 1, start = 1, end = {L})"),
                 ("slice(seen, axis = 1, start = 0, end = 19)", f"slice(seen, axis = 1, start = 0, end = {L - 1})"),
                 ("start = 18, end = 19)", f"start = {L - 2}, end = {L - 1})")]:
        assert a in out, a
        out = out.replace(a, b)
    return out


def once(args):
    start = time.perf_counter()
    r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{r.stderr.decode()[:2000]}")
    return time.perf_counter() - start


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nngc", default=os.path.join(ROOT, ".build/release/nngc"))
    ap.add_argument("--lengths", default="20,200,2000")
    ap.add_argument("--runs", type=int, default=9)
    a = ap.parse_args()
    source = open(os.path.join(ROOT, "Graphs/pendulum_rnn.nng")).read()
    lengths = [int(x) for x in a.lengths.split(",")]
    with tempfile.TemporaryDirectory() as d:
        paths = {}
        for n in lengths:
            paths[n] = os.path.join(d, f"pendulum_{n}.nng")
            open(paths[n], "w").write(variant(source, n))
        best = {n: math.inf for n in lengths}
        for _ in range(a.runs):
            for n in lengths:
                best[n] = min(best[n], once([a.nngc, "compile", paths[n]]))
        print(f"| observed steps L | theta | compile (s, best of {a.runs}) | C bytes | C lines | forward nodes |")
        print("|---:|---|---:|---:|---:|---:|")
        for n in lengths:
            out = os.path.join(d, f"out_{n}")
            subprocess.run([a.nngc, "compile", paths[n], "--emit", "c,ir", "-o", out], check=True, stdout=subprocess.DEVNULL)
            c = open(os.path.join(out, "pendulum_rnn.c")).read()
            ir = open(os.path.join(out, "pendulum_rnn.ir.nng")).read()
            nodes = sum(1 for line in ir.split("graph pendulum_rnn {")[1].splitlines() if " = " in line)
            print(f"| {n} | f32[B, {n + 50}, 1] | {best[n]:.3f} | {len(c.encode()):,} | {c.count(chr(10)):,} | {nodes} |")


if __name__ == "__main__":
    main()
