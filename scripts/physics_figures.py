#!/usr/bin/env python3
"""Figures of the physics gallery graphs (Graphs/README.md), as plain SVG.

    python3 scripts/physics_figures.py [NNGC] [FIGURE …]   # NNGC default: .build-release/release/nngc

Trains qho_variational.nng, rbm.nng (train exact), pinn_oscillator.nng and pinn_heat.nng into runs/,
evaluates them and hopfield.nng, and writes Graphs/figures/qho_states.svg, hopfield_recall.svg,
rbm_samples.svg, pinn_oscillator.svg, pinn_heat.svg. FIGURE (qho, hopfield, rbm,
pinn_oscillator, pinn_heat) makes only those. Needs numpy. Each figure function returns the
numbers it measured (scripts/gallery.py puts them into Graphs/README.md).
"""
import json, math, os, subprocess, sys
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NNGC = os.path.join(ROOT, ".build-release/release/nngc")  # or argv[1]; scripts/gallery.py sets its own
G = lambda name: os.path.join(ROOT, "Graphs", name)
FIG = os.path.join(ROOT, "Graphs", "figures")


def nngc(*args):
    r = subprocess.run([NNGC, *args], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(r.stderr)
    return r.stdout


def train(graph, out, *args):
    """The summary of `nngc train --format json` (its last line)."""
    return json.loads(nngc("train", graph, "-o", out, *args, "--format", "json").strip().split("\n")[-1])["summary"]


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
    summary = train(G("qho_variational.nng"), "runs/qho")
    x = np.linspace(-10, 10, 201)  # the training grid (Graphs/qho_variational.nng), so E0 and E1 are the table's
    feed = os.path.join(ROOT, "runs/qho/grid.json")
    json.dump({"x": [[float(v)] for v in x]}, open(feed, "w"))
    out = eval_json(G("qho_variational.nng"), "--params", "runs/qho/params.safetensors", "--feed", feed)
    exact = [np.pi ** -0.25 * np.exp(-x ** 2 / 2), np.pi ** -0.25 * np.sqrt(2) * x * np.exp(-x ** 2 / 2)]
    dx = x[1] - x[0]
    curves, errors = [], {}
    for k, name in enumerate(["psi0", "psi1"]):
        psi = np.array(out[name]).ravel()
        psi = psi / math.sqrt((psi ** 2).sum() * dx)
        if (psi * exact[k]).sum() < 0:
            psi = -psi
        curves.append(psi)
        errors[name + "_error"] = float(np.abs(psi - exact[k]).max())
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
    return {"E0": out["E0"], "E1": out["E1"], "overlap": out["overlap"], "seconds": summary["seconds"], **errors}


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
    return {"distance": out["distance"], "distance_in": out["distance_in"], "energies": out["energies"]}


def rbm():
    summary = train(G("rbm.nng"), "runs/rbm", "--train", "exact")
    chains = 20000
    out = eval_json(G("rbm.nng"), "--graph", "rbm_sample", "--params", "runs/rbm/params.safetensors",
                    "--size", f"S={chains}", "--tier", "optimized")
    samples = out["samples"][:60]
    cell = 7
    body = [f'<text x="10" y="16">rbm.nng, train exact: 60 of {chains} chains after 520 Gibbs steps from random '
            f'states</text><text x="10" y="32">on a valid image: {out["valid_fraction"] * 100:.2f} % of the chains, '
            f'{out["p_valid"] * 100:.2f} % of the exact model</text>']
    for k, s in enumerate(samples):
        r, c = divmod(k, 15)
        x0, y0 = 10 + c * (3 * cell + 10), 44 + r * (3 * cell + 10)
        img = np.reshape(s, (3, 3))
        ok = all(len(set(row)) == 1 for row in img) or all(len(set(col)) == 1 for col in img.T)
        body.append(f'<rect x="{x0 - 2}" y="{y0 - 2}" width="{3 * cell + 4}" height="{3 * cell + 4}" '
                    f'fill="none" stroke="{"#2ca02c" if ok else "#d62728"}" stroke-width="1.5"/>')
        body.append(pixels(s, x0, y0, cell, 3, 3))
    # The frequency of each of the 14 patterns among the chains against its exact probability.
    top, height, scale = 44 + 4 * (3 * cell + 10) + 30, 120, 1000
    body.append(f'<text x="10" y="{top - 8}">the 14 patterns: chains on each (blue, ± 2σ), '
                f'exact probability e^(−F)/Z (orange)</text>')
    sigma = [math.sqrt(p * (1 - p) / chains) for p in out["p_exact"]]
    for k, (f, p, s) in enumerate(zip(out["freq"], out["p_exact"], sigma)):
        x = 20 + k * 24
        for dx, v, color in ((0, f, "#1f77b4"), (9, p, "#ff7f0e")):
            h = v * scale
            body.append(f'<rect x="{x + dx}" y="{top + height - h:.1f}" width="8" height="{h:.1f}" fill="{color}"/>')
        y1, y2 = top + height - (f + 2 * s) * scale, top + height - (f - 2 * s) * scale
        body.append(f'<line x1="{x + 4}" x2="{x + 4}" y1="{y1:.1f}" y2="{y2:.1f}" stroke="black"/>')
    body.append(f'<line x1="15" x2="{20 + 14 * 24}" y1="{top + height}" y2="{top + height}" stroke="black"/>')
    body.append(f'<text x="{20 + 14 * 24 + 5}" y="{top + height - 0.0714 * scale + 4:.1f}">1/14</text>')
    body.append(f'<line x1="15" x2="{20 + 14 * 24}" y1="{top + height - scale / 14:.1f}" y2="{top + height - scale / 14:.1f}" '
                f'stroke="#999" stroke-dasharray="3,3"/>')
    save("rbm_samples.svg", "".join(body), 640, top + height + 20)
    z = [(f - p) / s for f, p, s in zip(out["freq"], out["p_exact"], sigma)]
    return {"chains": chains, "valid_fraction": out["valid_fraction"], "p_valid": out["p_valid"],
            "z_min": min(z), "z_max": max(z), "exact_kl": summary["reported"]["kl"], "exact_recon": summary["reported"]["recon"]}


def axes_frame(L, T, PW, PH, sx, sy, xticks, yticks, xlabel):
    body = [f'<rect x="{L}" y="{T}" width="{PW}" height="{PH}" fill="none" stroke="#888"/>']
    for t in xticks:
        body.append(f'<text x="{sx(t):.1f}" y="{T + PH + 16}" text-anchor="middle">{t:g}</text>')
    for t in yticks:
        body.append(f'<text x="{L - 6}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    body.append(f'<text x="{L + PW / 2}" y="{T + PH + 34}" text-anchor="middle">{xlabel}</text>')
    return body


def polyline(xs, ys, sx, sy, colour, width, extra=""):
    pts = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(xs, ys))
    return f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="{width}" {extra}/>'


def pinn_oscillator():
    summary = train(G("pinn_oscillator.nng"), "runs/pinn_oscillator")
    zeta, omega0 = 0.1, 3.0  # Graphs/data/make_oscillator.py
    t = np.linspace(0, 5, 1001)
    feed = os.path.join(ROOT, "runs/pinn_oscillator/fine.json")
    json.dump({"t": [[float(v)] for v in t], "u_obs": [[0.0]] * len(t)}, open(feed, "w"))
    out = eval_json(G("pinn_oscillator.nng"), "--params", "runs/pinn_oscillator/params.safetensors", "--feed", feed)
    wd = omega0 * math.sqrt(1 - zeta ** 2)
    exact = np.exp(-zeta * omega0 * t) * (np.cos(wd * t) + zeta * omega0 / wd * np.sin(wd * t))
    u = np.array(out["u"]).ravel()
    err = np.abs(u - exact).max()
    print(f"pinn_oscillator: zeta {out['zeta']:.5f} ({(out['zeta'] / zeta - 1) * 100:+.2f} %), "
          f"omega0 {out['omega0']:.5f} ({(out['omega0'] / omega0 - 1) * 100:+.2f} %), max |u - exact| {err:.2e}")
    obs = np.loadtxt(G("data/oscillator.csv"), delimiter=",", skiprows=1)
    W, H, L, T, PW, PH = 640, 360, 50, 30, 560, 270
    sx = lambda v: L + v / 5 * PW
    sy = lambda v: T + (1.1 - v) / 2.0 * PH
    body = axes_frame(L, T, PW, PH, sx, sy, range(6), [-0.8, -0.4, 0, 0.4, 0.8], "t")
    body.append(f'<line x1="{L}" y1="{sy(0):.1f}" x2="{L + PW}" y2="{sy(0):.1f}" stroke="#ccc"/>')
    body.append(f'<rect x="{sx(0):.1f}" y="{T}" width="{sx(2) - sx(0):.1f}" height="{PH}" fill="#1f77b4" opacity="0.06"/>')
    body.append(polyline(t, exact, sx, sy, "#999", 5, 'opacity="0.5"'))
    body.append(polyline(t, u, sx, sy, "#1f77b4", 1.8))
    for a, b in obs:
        body.append(f'<circle cx="{sx(a):.1f}" cy="{sy(b):.1f}" r="3" fill="#d62728"/>')
    lines = [("#1f77b4", "u(t), the trained network"),
             ("#1f77b4", f"max |u − exact| = {err:.1e} on [0, 5]"),
             ("#1f77b4", f"ζ = {out['zeta']:.4f} (true 0.1), ω0 = {out['omega0']:.4f} (true 3)"),
             ("#d62728", "20 observations (noise sd 0.01), t ≤ 2"),
             ("#888", "exact solution (wide grey)")]
    for i, (colour, text) in enumerate(lines):
        body.append(f'<text x="{sx(2.25):.1f}" y="{T + 18 + 16 * i}" fill="{colour}">{text}</text>')
    save("pinn_oscillator.svg", "\n".join(body) + "\n", W, H)
    return {"zeta": out["zeta"], "omega0": out["omega0"], "zeta_error": out["zeta"] / zeta - 1,
            "omega0_error": out["omega0"] / omega0 - 1, "oscillator_error": float(err),
            "oscillator_error_at": float(t[np.abs(u - exact).argmax()]), "oscillator_seconds": summary["seconds"]}


def pinn_heat():
    summary = train(G("pinn_heat.nng"), "runs/pinn_heat")
    alpha = 0.2
    xs, ts = np.linspace(0, 1, 101), np.linspace(0, 0.5, 51)
    X, T_ = np.meshgrid(xs, ts, indexing="ij")
    feed = os.path.join(ROOT, "runs/pinn_heat/fine.json")
    json.dump({"x": [[float(v)] for v in X.ravel()], "t": [[float(v)] for v in T_.ravel()]}, open(feed, "w"))
    out = eval_json(G("pinn_heat.nng"), "--params", "runs/pinn_heat/params.safetensors", "--feed", feed)
    u = np.array(out["u"]).reshape(X.shape)
    exact = np.exp(-alpha * np.pi ** 2 * T_) * np.sin(np.pi * X)
    err = np.abs(u - exact)
    k = np.unravel_index(err.argmax(), err.shape)
    print(f"pinn_heat: max |u - exact| {err.max():.2e} at x = {xs[k[0]]:.2f}, t = {ts[k[1]]:.2f} (101 x 51 points)")
    W, H, L, T, PW, PH = 600, 400, 50, 30, 520, 270
    sx = lambda v: L + v * PW
    sy = lambda v: T + (1.05 - v) / 1.1 * PH
    body = axes_frame(L, T, PW, PH, sx, sy, [0, 0.2, 0.4, 0.6, 0.8, 1], [0, 0.25, 0.5, 0.75, 1], "x")
    colours = ["#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#d62728"]
    for c, j in enumerate([0, 12, 25, 37, 50]):
        body.append(polyline(xs, exact[:, j], sx, sy, "#999", 5, 'opacity="0.5"'))
        body.append(polyline(xs, u[:, j], sx, sy, colours[c], 1.8))
        body.append(f'<text x="{sx(0.5):.1f}" y="{sy(u[50, j]) - 6:.1f}" text-anchor="middle" fill="{colours[c]}">'
                    f't = {ts[j]:g}</text>')
    body.append(f'<text x="{L}" y="{T + PH + 54}">u(x, t) of the trained network (colours); e^(−απ²t) sin πx, α = 0.2 (wide grey)</text>')
    body.append(f'<text x="{L}" y="{T + PH + 70}">max |u − exact| = {err.max():.1e} on 101 × 51 points of [0, 1] × [0, 0.5]</text>')
    save("pinn_heat.svg", "\n".join(body) + "\n", W, H)
    return {"heat_error": float(err.max()), "heat_error_x": float(xs[k[0]]), "heat_error_t": float(ts[k[1]]),
            "heat_seconds": summary["seconds"], **{"heat_" + k: v for k, v in summary["reported"].items()}}


FIGURES = {"qho": qho, "hopfield": hopfield, "rbm": rbm, "pinn_oscillator": pinn_oscillator, "pinn_heat": pinn_heat}
os.makedirs(FIG, exist_ok=True)

if __name__ == "__main__":
    if len(sys.argv) > 1:
        NNGC = sys.argv[1]
    for name in sys.argv[2:] or FIGURES:
        FIGURES[name]()
