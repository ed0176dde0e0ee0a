"""`make bench`: nngc against PyTorch and JAX on the workloads of workloads.py.

Every run is a fresh process pinned by taskset to the same CPU(s), with every library held
to the same number of threads; the systems take turns (interleaved, the order rotated each
round) so that load from other jobs spreads over all of them. Each run reports the median
time of its steady-state steps; the tables show the median over the rounds. The tables are
printed and written into docs/benchmarks.md between the markers of report.py.

    python Benchmarks/peers/run.py [--rounds 5] [--cpus 0] [--write docs/benchmarks.md]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from safetensors.numpy import save_file

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from report import Results, render, write_section  # noqa: E402
from workloads import WORKLOADS, Workload  # noqa: E402

ROOT = HERE.parent.parent
SYSTEMS = ("nngc", "torch", "jax")


def thread_env(threads: int) -> dict:
    """The environment that holds every library to `threads` threads: OpenBLAS (nngc, numpy),
    OpenMP and MKL (PyTorch), and XLA's CPU client (JAX; its Eigen pool and intra-op pool)."""
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    xla = ["--xla_cpu_multi_thread_eigen=" + ("false" if threads == 1 else "true"),
           f"intra_op_parallelism_threads={threads}"]
    env["XLA_FLAGS"] = " ".join(xla + [env.get("XLA_FLAGS", "")]).strip()
    return env


class Runner:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.work_dir)
        self.work.mkdir(parents=True, exist_ok=True)

    def run(self, command: list, cpus: str, threads: int) -> dict:
        """Runs one measurement pinned to `cpus`; its last stdout line is the JSON result."""
        full = ["taskset", "-c", cpus, *map(str, command)]
        p = subprocess.run(full, cwd=ROOT, env=thread_env(threads), capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"failed ({p.returncode}): {' '.join(full)}\n{p.stderr[-3000:]}")
        return json.loads(p.stdout.strip().splitlines()[-1])

    def files(self, w: Workload) -> tuple:
        return self.work / f"{w.key}-data.safetensors", self.work / f"{w.key}-params.safetensors"

    def prepare(self, w: Workload):
        """Writes the workload's data and, through nngc-bench, nngc's initial parameters."""
        data, params = self.files(w)
        save_file(w.make_data(), str(data))
        self.run(self.nngc_command(w, steps=1, warmup=0) + ["--export-params", params], self.args.cpus, 1)

    def nngc_command(self, w: Workload, steps: int, warmup: int) -> list:
        data, _ = self.files(w)
        return [self.args.nngc_bench, "workload", w.model, "--data", data, "--batch", w.batch,
                "--optimizer", w.nngc_optimizer(), "--steps", steps, "--warmup", warmup, "--json"]

    def command(self, system: str, w: Workload, threads: int) -> list:
        steps = max(3, w.steps // self.args.divide_steps)
        warmup = max(1, w.warmup // self.args.divide_steps)
        if system == "nngc":
            return self.nngc_command(w, steps, warmup)
        data, params = self.files(w)
        return [sys.executable, HERE / "peer.py", system, w.key, "--data", data, "--params", params,
                "--threads", threads, "--steps", steps, "--warmup", warmup]

    def sgemm(self, library: str, cpus: str, threads: int) -> dict:
        return self.run([sys.executable, HERE / "peer.py", "sgemm", library, "--threads", threads], cpus, threads)


def configurations(args) -> list:
    """(label, cpus, threads, workloads): every workload at one thread, the wide MLP at two."""
    chosen = [w for w in WORKLOADS if not args.only or w.key in args.only]
    out = [("1 thread", args.cpus, 1, chosen)]
    if args.two_thread_cpus and any(w.key == "wide" for w in chosen):
        out.append(("2 threads", args.two_thread_cpus, 2, [w for w in chosen if w.key == "wide"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nngc-bench", default=str(ROOT / ".build/release/nngc-bench"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cpus", default="0", help="the CPU list of the one-thread runs (taskset -c)")
    ap.add_argument("--two-thread-cpus", default="0,1", help="the CPU list of the two-thread runs; empty: none")
    ap.add_argument("--only", nargs="*", help="workload keys (mlp wide cnn qho)")
    ap.add_argument("--divide-steps", type=int, default=1, help="fewer steps per run, for a quick look")
    ap.add_argument("--work-dir", default=str(ROOT / ".build/bench"))
    ap.add_argument("--write", help="the markdown file whose generated section is replaced")
    ap.add_argument("--note", default="", help="a sentence printed under the tables (e.g. the machine's load)")
    args = ap.parse_args()
    if shutil.which("taskset") is None:
        sys.exit("taskset (util-linux) is needed to pin the runs to CPUs")

    runner = Runner(args)
    results = Results(rounds=args.rounds, note=args.note)
    configs = configurations(args)
    for w in {w.key: w for _, _, _, ws in configs for w in ws}.values():
        runner.prepare(w)
    for r in range(args.rounds):
        for label, cpus, threads, ws in configs:
            for library in ("numpy", "torch"):
                results.add_sgemm(label, runner.sgemm(library, cpus, threads))
            for w in ws:
                order = SYSTEMS[r % 3:] + SYSTEMS[:r % 3]
                for system in order:
                    result = runner.run(runner.command(system, w, threads), cpus, threads)
                    results.add(label, w, result)
                    print(f"round {r + 1}/{args.rounds} {label} {w.key} {system}: "
                          f"{result['step_ms']:.3f} ms/step, first step {result['first_step_ms']:.1f} ms", flush=True)
    text = render(results, configs)
    print(text)
    if args.write:
        write_section(Path(args.write), text)
    if not results.losses_agree():
        sys.exit("the losses of the first step disagree between nngc and a peer: see the table")


if __name__ == "__main__":
    main()
