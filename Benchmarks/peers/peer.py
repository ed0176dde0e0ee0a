"""One timed run of a peer (PyTorch or JAX) on one workload, printed as one JSON line with
the fields of `nngc-bench workload --json`:

    python peer.py torch|jax WORKLOAD --data F.safetensors --params F.safetensors --threads N
    python peer.py sgemm numpy|torch --threads N

Thread counts of the libraries are set by run.py in the environment before this starts
(OMP/OpenBLAS/MKL variables, XLA_FLAGS) and the process is pinned by taskset; here PyTorch's
own pools are set too.
"""
import argparse
import importlib
import json
import statistics
import sys
import time
from pathlib import Path

from safetensors.numpy import load_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workloads import BY_KEY  # noqa: E402

FRAMEWORKS = {"torch": "torch_models", "jax": "jax_models"}


def batches_of(data: dict, batch: int) -> list:
    """Consecutive batches of `batch` samples (a last partial batch is dropped, as in nngc-bench)."""
    n = len(next(iter(data.values())))
    return [{k: v[i * batch:(i + 1) * batch] for k, v in data.items()} for i in range(n // batch)]


def run_workload(framework: str, key: str, data_path: str, params_path: str, threads: int,
                 steps: int, warmup: int) -> dict:
    fw = importlib.import_module(FRAMEWORKS[framework])
    fw.set_threads(threads)
    fw.warm_up()
    w = BY_KEY[key]
    params = load_file(params_path)
    staged = [fw.stage(w, b) for b in batches_of(load_file(data_path), w.batch)]

    start = time.perf_counter()
    step = fw.trainer(w, params)      # JAX: traced and compiled on the first call
    loss0 = fw.finish(step(staged[0]))
    first_step_ms = (time.perf_counter() - start) * 1e3

    times, loss_last = [], loss0
    for s in range(1, 1 + warmup + steps):
        t = time.perf_counter()
        loss_last = fw.finish(step(staged[s % len(staged)]))
        if s > warmup:
            times.append((time.perf_counter() - t) * 1e3)
    return {"system": framework, "model": w.model, "batch": w.batch, "steps": steps,
            "step_ms": statistics.median(times), "step_ms_min": min(times),
            "first_step_ms": first_step_ms, "loss0": loss0, "loss_last": loss_last}


def sgemm_gflops(library: str, threads: int, n: int = 1024, repeats: int = 10) -> dict:
    """The best of `repeats` single-precision n×n×n products, in GFLOP/s."""
    import numpy as np
    if library == "torch":
        import torch
        torch.set_num_threads(threads)
        a, b = torch.rand(n, n), torch.rand(n, n)
    else:
        a, b = (np.random.default_rng(0).random((n, n), dtype=np.float32) for _ in range(2))
    a @ b
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return {"system": library, "sgemm": n, "gflops": 2.0 * n ** 3 / best / 1e9}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("framework", choices=[*FRAMEWORKS, "sgemm"])
    ap.add_argument("workload", help="a key of workloads.py, or numpy|torch after sgemm")
    ap.add_argument("--data")
    ap.add_argument("--params")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int)
    ap.add_argument("--warmup", type=int)
    a = ap.parse_args()
    if a.framework == "sgemm":
        result = sgemm_gflops(a.workload, a.threads)
    else:
        w = BY_KEY[a.workload]
        result = run_workload(a.framework, a.workload, a.data, a.params, a.threads,
                              a.steps or w.steps, w.warmup if a.warmup is None else a.warmup)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
