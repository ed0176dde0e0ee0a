#!/usr/bin/env python3
"""Graphs/figures/pendulum_rnn.svg: held-out pendulum trajectories against the predictions of the
trained recurrent network (Graphs/README.md, pendulum_rnn.nng). Plain SVG, no dependencies.

    python3 scripts/pendulum_figure.py [NNGC] [GRAPH]   # NNGC default .build/debug/nngc, GRAPH pendulum_rnn

Trains GRAPH (the file's settings, C backend) into runs/GRAPH, then evaluates it on the first
four trajectories of Graphs/data/pendulum_test.npy and draws each: the 20 angles read (dots),
the true continuation (grey line) and the 50 predicted angles (coloured line).
"""
import json, os, struct, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NNGC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/debug/nngc")
GRAPH = sys.argv[2] if len(sys.argv) > 2 else "pendulum_rnn"
DT, SEEN, SHOWN = 0.1, 20, 4


def nngc(*args):
    r = subprocess.run([NNGC, *args], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    return r.stdout


def read_npy(path):
    data = open(path, "rb").read()
    n = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + n].decode("latin1")
    shape = eval(header)["shape"]
    count = shape[0] * shape[1]
    values = struct.unpack("<%dd" % count, data[10 + n:10 + n + 8 * count])
    return [list(values[i * shape[1]:(i + 1) * shape[1]]) for i in range(shape[0])]


def main():
    figure(NNGC, GRAPH)


def figure(nngc_path, name):
    """Trains and draws graph `name`; returns its held-out RMSE (scripts/gallery.py reports it)."""
    global NNGC, GRAPH
    NNGC, GRAPH = nngc_path, name
    run = os.path.join(ROOT, "runs", GRAPH)
    graph = os.path.join(ROOT, "Graphs", GRAPH + ".nng")
    nngc("train", graph, "-o", run)
    trajectories = read_npy(os.path.join(ROOT, "Graphs/data/pendulum_test.npy"))[:SHOWN]
    feed = os.path.join(run, "shown.json")
    json.dump({"theta": [[[v] for v in t] for t in trajectories]}, open(feed, "w"))
    out = json.loads(nngc("eval", graph, "--params", os.path.join(run, "params.safetensors"), "--feed", feed, "--format", "json"))["outputs"]
    preds = [[p[0] for p in row] for row in out["pred"]]
    w, h, left, top, pw, ph = 720, 420, 60, 40, 620, 320
    lo = min(min(t) for t in trajectories) - 0.1
    hi = max(max(t) for t in trajectories) + 0.1
    x = lambda i: left + pw * i * DT / (DT * (len(trajectories[0]) - 1))
    y = lambda v: top + ph * (hi - v) / (hi - lo)
    colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
    # The title must fit the 720-pixel width (scripts/gallery.py check estimates text widths).
    body = [f'<text x="{left}" y="24">{GRAPH}: 20 angles read (dots), 50 predicted (dashed), true (grey); '
            f'RMSE {out["rmse"]:.4f} rad</text>',
            f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#888"/>',
            f'<line x1="{x(SEEN - 0.5)}" y1="{top}" x2="{x(SEEN - 0.5)}" y2="{top + ph}" stroke="#bbb" stroke-dasharray="4 3"/>']
    for k in range(0, 8):
        t = k
        body.append(f'<text x="{x(t / DT)}" y="{top + ph + 16}" text-anchor="middle">{t}</text>')
    body.append(f'<text x="{left + pw / 2}" y="{h - 6}" text-anchor="middle">t (s)</text>')
    for v in [-1.5, -1, -0.5, 0, 0.5, 1, 1.5]:
        if lo <= v <= hi:
            body.append(f'<text x="{left - 6}" y="{y(v) + 4}" text-anchor="end">{v:g}</text>')
    body.append(f'<text x="16" y="{top + ph / 2}" transform="rotate(-90 16 {top + ph / 2})" text-anchor="middle">θ (rad)</text>')
    for t, p, c in zip(trajectories, preds, colours):
        truth = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(t))
        body.append(f'<polyline points="{truth}" fill="none" stroke="#aaa" stroke-width="3"/>')
        for i in range(SEEN):
            body.append(f'<circle cx="{x(i):.1f}" cy="{y(t[i]):.1f}" r="2.5" fill="{c}"/>')
        pred = " ".join(f"{x(SEEN + i):.1f},{y(v):.1f}" for i, v in enumerate(p))
        body.append(f'<polyline points="{pred}" fill="none" stroke="{c}" stroke-width="1.5" stroke-dasharray="5 3"/>')
    path = os.path.join(ROOT, "Graphs/figures", GRAPH + ".svg")
    with open(path, "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
                f'font-family="sans-serif" font-size="12">\n<rect width="{w}" height="{h}" fill="white"/>\n')
        f.write("\n".join(body) + "\n</svg>\n")
    print("wrote", os.path.relpath(path, ROOT), "held-out RMSE", out["rmse"])
    return out["rmse"]


if __name__ == "__main__":
    main()
