#!/usr/bin/env python3
"""Figures of the physics gallery graphs (Graphs/README.md), as plain SVG.

    python3 scripts/physics_figures.py [NNGC]      # NNGC default: .build-release/release/nngc

Trains qho_variational.nng and rbm.nng into runs/, evaluates them and hopfield.nng, and writes
Graphs/figures/qho_states.svg, hopfield_recall.svg, rbm_samples.svg. Needs numpy.
"""
import json, math, os, subprocess, sys
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NNGC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build-release/release/nngc")
G = lambda name: os.path.join(ROOT, "Graphs", name)
FIG = os.path.join(ROOT, "Graphs", "figures")


def nngc(*args):
    r = subprocess.run([NNGC, *args], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    return r.stdout


def eval_json(*args):
    return json.loads(nngc("eval", *args, "--format", "json"))["outputs"]


def save(name, body, w, h):
    with open(os.path.join(FIG, name), "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
                f'font-family="sans-serif" font-size="12">\n<rect width="{w}" height="{h}" fill="white"/>\n')
        f.write(body)
        f.write("</svg>\n")
    print("wrote", os.path.join("Graphs/figures", name))


def pixels(img, x0, y0, cell, rows, cols, on="#222", off="#eee"):
    out = []
    for i in range(rows):
        for j in range(cols):
            v = img[i * cols + j]
            out.append(f'<rect x="{x0 + j * cell}" y="{y0 + i * cell}" width="{cell}" height="{cell}" '
                       f'fill="{on if v > 0 else off}" stroke="white" stroke-width="0.5"/>')
    return "\n".join(out) + "\n"


def qho():
    nngc("train", G("qho_variational.nng"), "-o", "runs/qho")
    x = np.linspace(-10, 10, 201)  # the training grid (Graphs/qho_variational.nng), so E0 and E1 are the table's
    feed = os.path.join(ROOT, "runs/qho/grid.json")
    json.dump({"x": [[float(v)] for v in x]}, open(feed, "w"))
    out = eval_json(G("qho_variational.nng"), "--params", "runs/qho/params.safetensors", "--feed", feed)
    exact = [np.pi ** -0.25 * np.exp(-x ** 2 / 2), np.pi ** -0.25 * np.sqrt(2) * x * np.exp(-x ** 2 / 2)]
    dx = x[1] - x[0]
    curves = []
    for k, name in enumerate(["psi0", "psi1"]):
        psi = np.array(out[name]).ravel()
        psi = psi / math.sqrt((psi ** 2).sum() * dx)
        if (psi * exact[k]).sum() < 0:
            psi = -psi
        curves.append(psi)
        print(f"{name}: max |psi - exact| = {np.abs(psi - exact[k]).max():.2e}")
    W, H, L, T, PW, PH = 560, 340, 50, 30, 480, 260
    sx = lambda v: L + (v + 4) / 8 * PW
    sy = lambda v: T + (0.9 - v) / 1.8 * PH
    body = [f'<rect x="{L}" y="{T}" width="{PW}" height="{PH}" fill="none" stroke="#888"/>',
            f'<line x1="{L}" y1="{sy(0)}" x2="{L + PW}" y2="{sy(0)}" stroke="#ccc"/>']
    for t in range(-4, 5, 2):
        body.append(f'<text x="{sx(t)}" y="{T + PH + 16}" text-anchor="middle">{t}</text>')
    for t in [-0.8, -0.4, 0, 0.4, 0.8]:
        body.append(f'<text x="{L - 6}" y="{sy(t) + 4}" text-anchor="end">{t:g}</text>')
    body.append(f'<text x="{L + PW / 2}" y="{H - 6}" text-anchor="middle">x</text>')
    mask = np.abs(x) <= 4
    for k, (psi, colour) in enumerate(zip(curves, ["#1f77b4", "#d62728"])):
        ex = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x[mask], exact[k][mask]))
        body.append(f'<polyline points="{ex}" fill="none" stroke="#999" stroke-width="5" opacity="0.5"/>')
        pts = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(x[mask], psi[mask]))
        body.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
    body.append(f'<text x="{L + 10}" y="{T + 18}" fill="#1f77b4">ψ0 (trained), E0 = {out["E0"]:.6f}</text>')
    body.append(f'<text x="{L + 10}" y="{T + 34}" fill="#d62728">ψ1 (trained), E1 = {out["E1"]:.5f}</text>')
    body.append(f'<text x="{L + 10}" y="{T + 50}" fill="#888">exact (wide grey)</text>')
    save("qho_states.svg", "\n".join(body) + "\n", W, H)


def hopfield():
    out = eval_json(G("hopfield.nng"), "--feed", G("data/hopfield_inputs.json"))
    feed = json.load(open(G("data/hopfield_inputs.json")))
    cell, gap = 12, 30
    body = []
    cols = [("stored", feed["patterns"]), ("probe (20 % flipped)", feed["probes"]), ("recalled", out["recalled"])]
    for c, (title, imgs) in enumerate(cols):
        x0 = 20 + c * (10 * cell + gap)
        body.append(f'<text x="{x0 + 5 * cell}" y="18" text-anchor="middle">{title}</text>')
        for r, img in enumerate(imgs):
            body.append(pixels(img, x0, 30 + r * (10 * cell + 20), cell, 10, 10))
    x0 = 20 + 3 * (10 * cell + gap)
    body.append(f'<text x="{x0}" y="18">energy after k updates</text>')
    for r in range(3):
        es = [row[r] for row in out["energies"]]
        body.append(f'<text x="{x0}" y="{30 + r * (10 * cell + 20) + 60}">'
                    + ", ".join(f"{e:.2f}" for e in es[:3]) + ", …</text>")
    save("hopfield_recall.svg", "".join(body), x0 + 230, 30 + 3 * (10 * cell + 20))


def rbm():
    nngc("train", G("rbm.nng"), "-o", "runs/rbm")
    out = eval_json(G("rbm.nng"), "--graph", "rbm_sample", "--params", "runs/rbm/params.safetensors", "--size", "S=1000")
    samples = out["samples"][:60]
    cell = 7
    body = [f'<text x="10" y="16">first 60 of 1000 samples after 20 Gibbs steps from random states; '
            f'valid: {out["valid_fraction"] * 100:.1f} %</text>']
    for k, s in enumerate(samples):
        r, c = divmod(k, 15)
        x0, y0 = 10 + c * (3 * cell + 10), 28 + r * (3 * cell + 10)
        img = np.reshape(s, (3, 3))
        ok = all(len(set(row)) == 1 for row in img) or all(len(set(col)) == 1 for col in img.T)
        body.append(f'<rect x="{x0 - 2}" y="{y0 - 2}" width="{3 * cell + 4}" height="{3 * cell + 4}" '
                    f'fill="none" stroke="{"#2ca02c" if ok else "#d62728"}" stroke-width="1.5"/>')
        body.append(pixels(s, x0, y0, cell, 3, 3))
    save("rbm_samples.svg", "".join(body), 15 * (3 * cell + 10) + 10, 28 + 4 * (3 * cell + 10) + 10)


os.makedirs(FIG, exist_ok=True)
qho()
hopfield()
rbm()
