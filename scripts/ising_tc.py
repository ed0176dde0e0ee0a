#!/usr/bin/env python3
"""T_c of the Ising gallery classifiers over several seeds (Graphs/README.md, "The 2-D Ising model").

    python3 scripts/ising_tc.py [--seeds N] [--sizes 8,16,32] [--nngc PATH] [GRAPH ...]
    # default: ising_mlp ising_cnn, 5 seeds, L = 16

For each seed s = 1 … N, trains a copy of Graphs/GRAPH.nng whose ising sources draw fresh
configurations (data seed 100s+1, test seed 100s+2) with `--seed s` (initialisation and batch
order), then evaluates it on a third, independent grid (seed 100s+3, 31 temperatures from 1.5
to 3.0, 200 configurations each) and reads off where the mean p crosses 1/2. The same grid with
every spin negated gives the spin-flipped estimate (the model should not care about the sign).
Prints one row per seed and the mean ± sample standard deviation. With several sizes the
graphs are trained with `--size L=N` (the graphs are written in terms of L) and each
seed's crossings are extrapolated with T_c(L) = T_c + a/L (ν = 1, least squares): the
finite-size-scaling estimate, reported as mean ± sd over the seeds. Standard library only.
"""
import argparse, json, os, re, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRID = "ising(L = {}, temperatures = linspace(1.5, 3.0, 31), samples = 200, seed = {})"
TC = 2 / __import__("math").log(1 + 2 ** 0.5)


def run(nngc, *args):
    r = subprocess.run([nngc, *args], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"nngc {' '.join(args)}\n{r.stderr}")
    return r.stdout


def crossing(nngc, graph, params, L, seed):
    out = json.loads(run(nngc, "eval", graph, "--params", params, "--data", GRID.format(L, seed),
                         "--by", "T", "--crossing", "p=0.5", "--format", "json"))
    at = out["crossings"][0]["at"]
    return at[0] if len(at) == 1 else float("nan")


def one_seed(nngc, name, seed, L, folder):
    text = open(os.path.join(ROOT, "Graphs", name + ".nng")).read()
    text = text.replace("seed = 1)", f"seed = {100 * seed + 1})").replace("seed = 2)", f"seed = {100 * seed + 2})")
    graph = os.path.join(folder, f"{name}_{L}_{seed}.nng")
    open(graph, "w").write(text)
    # The same graph reading every spin negated: the first use of `spins` in the body.
    flipped = os.path.join(folder, f"{name}_{L}_{seed}_flipped.nng")
    body = text.index("\n  ", text.index("param"))
    open(flipped, "w").write(text[:body] + re.sub(r"\((spins)\b", r"(-\1", text[body:], count=1))
    out = os.path.join(folder, f"run_{name}_{L}_{seed}")
    summary = json.loads(run(nngc, "train", graph, "-o", out, "--seed", str(seed), "--size", f"L={L}", "--format", "json")
                         .strip().split("\n")[-1])["summary"]
    params = os.path.join(out, "params.safetensors")
    return (summary["test"]["acc"], crossing(nngc, graph, params, L, 100 * seed + 3),
            crossing(nngc, flipped, params, L, 100 * seed + 3))


def extrapolate(sizes, crossings):
    """T_c and a of the least-squares line T(L) = T_c + a·x, x = 1/L."""
    xs = [1 / L for L in sizes]
    mx, my = statistics.mean(xs), statistics.mean(crossings)
    a = sum((x - mx) * (y - my) for x, y in zip(xs, crossings)) / sum((x - mx) ** 2 for x in xs)
    return my - a * mx, a


def measure(nngc, name, seeds, sizes, folder):
    """{(L, seed): (test accuracy, T_c estimate, spin-flipped estimate)}, printed as it goes
    (scripts/gallery.py puts these numbers into Graphs/README.md)."""
    rows = {}
    for L in sizes:
        print(f"{name}, L = {L}: seed, test accuracy, T_c estimate, spin-flipped estimate")
        for seed in seeds:
            rows[L, seed] = one_seed(nngc, name, seed, L, folder)
            acc, tc, flip = rows[L, seed]
            print(f"  {seed}  {acc:.4f}  {tc:.4f}  {flip:.4f}", flush=True)
            if tc != tc or flip != flip:   # NaN: p crossed 1/2 not exactly once on the grid
                sys.exit(f"{name}, L = {L}, seed {seed}: the mean p does not cross 1/2 exactly once "
                         f"(test accuracy {acc:.4f}), so this training failed and there is no estimate")
    return rows


def summary(label, v):
    m, s = statistics.mean(v), statistics.stdev(v) if len(v) > 1 else 0
    return f"{label}: {m:.4f} ± {s:.4f} ({100 * (m / TC - 1):+.1f} % from Onsager's {TC:.4f}; range {min(v):.4f}–{max(v):.4f})"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("graphs", nargs="*", default=["ising_mlp", "ising_cnn"])
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--sizes", default="16", help="lattice sizes, comma-separated (even)")
    p.add_argument("--nngc", default=os.path.join(ROOT, ".build-release/release/nngc"))
    a = p.parse_args()
    sizes = [int(x) for x in a.sizes.split(",")]
    seeds = range(1, a.seeds + 1)
    with tempfile.TemporaryDirectory() as folder:
        for name in a.graphs:
            rows = measure(a.nngc, name, seeds, sizes, folder)
            for L in sizes:
                print(f"{name}, L = {L}:")
                accs = [rows[L, s][0] for s in seeds]
                print(f"  test accuracy: {statistics.mean(accs):.4f} ± {statistics.stdev(accs) if len(accs) > 1 else 0:.4f}")
                print("  " + summary("T_c", [rows[L, s][1] for s in seeds]))
                print("  " + summary("T_c, spins negated", [rows[L, s][2] for s in seeds]))
            if len(sizes) > 1:
                print(f"{name}: T_c(L) = T_c + a/L over L = {', '.join(map(str, sizes))}, per seed")
                fits = [extrapolate(sizes, [rows[L, s][1] for L in sizes]) for s in seeds]
                for s, (tc, slope) in zip(seeds, fits):
                    print(f"  {s}  T_c = {tc:.4f}, a = {slope:+.3f}")
                print("  " + summary("extrapolated T_c", [f[0] for f in fits]))


if __name__ == "__main__":
    main()
