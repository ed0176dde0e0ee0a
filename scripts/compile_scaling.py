#!/usr/bin/env python3
"""Compile-time scaling of nngc (issue 14): times `nngc check` and `nngc compile` (lowering,
C generation and TinyCC) on generated programs of 10^2 ... 10^5 statements and fn-chain depths,
and fits the exponent k of time ~ n^k by least squares on log-log over the sizes whose time is
at least 0.05 s (below that the process start dominates), and the local exponent between the
two largest sizes. Prints a Markdown table (best of 5 runs per cell).

    python3 scripts/compile_scaling.py --nngc .build/release/nngc [--sizes 100,1000,10000,100000]
"""
import argparse, math, os, subprocess, tempfile, time


def statements(n):
    """A graph of n assignments, each using the previous one."""
    lines = ["graph g {", "  input x: f32[4]", "  y0 = x * 1.5"]
    lines += [f"  y{i} = y{i - 1} * 0.5 + x" for i in range(1, n)]
    lines += [f"  s = sum(y{n - 1})", "  output s", "}"]
    return "\n".join(lines) + "\n"


def fn_chain(n):
    """fn f_i(x) = f_{i-1}(x) * 1 for i = 1 ... n (the issue's cubic example)."""
    lines = ["fn f0(x) { return x }"]
    lines += [f"fn f{i}(x) {{ return f{i - 1}(x) * 1 }}" for i in range(1, n + 1)]
    lines += ["graph g {", "  input x: f32[4]", f"  y = sum(f{n}(x))", "  output y", "}"]
    return "\n".join(lines) + "\n"


def unknown_names(n):
    """n statements that each use an unknown name (did-you-mean for every one); check only."""
    lines = ["graph g {", "  input x: f32[4]"]
    lines += [f"  y{i} = x + unknown{i}" for i in range(n)]
    lines += ["  output y0", "}"]
    return "\n".join(lines) + "\n"


def timed(args, expect_ok):
    best = math.inf
    for _ in range(5):
        start = time.perf_counter()
        r = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        best = min(best, time.perf_counter() - start)
        if expect_ok and r.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{r.stderr.decode()[:2000]}")
        if best > 5:  # one run is enough for slow cases
            break
    return best


def exponent(points):
    pts = [(math.log(n), math.log(t)) for n, t in points if t >= 0.05]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nngc", default=".build/release/nngc")
    ap.add_argument("--sizes", default="100,1000,10000,100000")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    # LoweringLimits.maxDepth refuses nesting beyond 50 000 levels of expressions, two per level of
    # this chain (the call and the product): the deepest chain measured has 20 000 levels.
    kinds = [("statements", statements, sizes, True),
             ("fn-chain depth", fn_chain, [min(n, 20000) for n in sizes], True),
             ("statements with an unknown name", unknown_names, sizes, False)]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for name, make, ns, compiles in kinds:
            checks, compiles_t = [], []
            for n in ns:
                path = os.path.join(d, f"p{n}.nng")
                with open(path, "w") as f:
                    f.write(make(n))
                checks.append((n, timed([a.nngc, "check", path], expect_ok=compiles)))
                if compiles:
                    compiles_t.append((n, timed([a.nngc, "compile", path], expect_ok=True)))
            rows.append((name, "check", checks))
            if compiles_t:
                rows.append((name, "compile", compiles_t))
    header = "| program | command | " + " | ".join(f"n = {n:,}" for n in sizes) + " | fitted exponent | between the two largest |"
    print(header)
    print("|" + "---|" * (len(sizes) + 4))
    for name, command, pts in rows:
        cells = [f"{t:.3f} s" + (f" (n = {n:,})" if n not in sizes else "") for n, t in pts]
        k = exponent(pts)
        (n1, t1), (n2, t2) = pts[-2], pts[-1]
        top = math.log(t2 / t1) / math.log(n2 / n1)
        print(f"| {name} | `{command}` | " + " | ".join(cells) + f" | {'—' if k is None else f'{k:.2f}'} | {top:.2f} |")


if __name__ == "__main__":
    main()
