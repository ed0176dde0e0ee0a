"""The workloads nngc, PyTorch and JAX are timed on: the model, its data, batch and optimizer.

nngc reads the model file; the peers (torch_models.py, jax_models.py) implement the same
model by hand, keyed by `Workload.key`. All of them read the same data file, and the peers
start from the initial parameters nngc exports, so the losses of the first step must agree
(run.py checks them).
"""
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    model: str                # path from the repository's root
    batch: int
    optimizer: dict           # {"kind": "sgd"|"adam", "lr": …, "momentum": …}
    samples: int              # samples in the data file (steps cycle through its batches)
    steps: int                # timed steps per run
    warmup: int
    dtype: str = "f32"
    layers: tuple = field(default=())   # dense layer sizes, for the FLOP count of the wide MLP

    def nngc_optimizer(self) -> str:
        """The optimizer as nngc-bench's --optimizer writes it."""
        args = ", ".join(f"{k} = {v}" for k, v in self.optimizer.items() if k != "kind")
        return f"{self.optimizer['kind']}({args})"

    def make_data(self, seed: int = 1) -> dict:
        """The data file's tensors, keyed by the graph's input names, samples along axis 0."""
        rng = np.random.default_rng(seed)
        n = self.samples
        if self.key in ("mlp", "wide"):
            # MNIST-shaped: pixel bytes 0–255 (the model divides by 255) and class labels 0–9.
            return {"image": rng.integers(0, 256, (n, 784)).astype(np.float32),
                    "label": rng.integers(0, 10, n).astype(np.float32)}
        if self.key == "cnn":
            # 16×16 lattices of ±1 spins and an ordered/disordered label.
            return {"spins": (2 * rng.integers(0, 2, (n, 256)) - 1).astype(np.float32),
                    "ordered": rng.integers(0, 2, (n, 1)).astype(np.float32)}
        if self.key == "qho":
            # The grid the wave functions are evaluated on (the whole grid is one batch).
            return {"x": np.linspace(-6.0, 6.0, n).reshape(n, 1)}
        raise ValueError(self.key)

    def step_flops(self) -> float:
        """Multiply-adds ×2 of the matrix products of one training step of a dense net: the
        forward products, the weight gradients, and the input gradients of every layer but
        the first (nobody needs the gradient of the data)."""
        pairs = list(zip(self.layers, self.layers[1:]))
        products = [2.0 * self.batch * i * o for i, o in pairs]  # one B×i by i×o product each
        forward = weight_gradients = sum(products)
        input_gradients = sum(products[1:])
        return forward + weight_gradients + input_gradients


SGD = {"kind": "sgd", "lr": 0.05, "momentum": 0.9}

WORKLOADS = [
    Workload("mlp", "MNIST-shaped MLP 784-100-10, batch 64, sgd+momentum, f32", "Graphs/mnist_mlp.nng",
             batch=64, optimizer=SGD, samples=64 * 8, steps=200, warmup=20, layers=(784, 100, 10)),
    Workload("wide", "wide MLP 784-1024-1024-10, batch 256, sgd+momentum, f32", "Benchmarks/peers/wide_mlp.nng",
             batch=256, optimizer=SGD, samples=256 * 4, steps=15, warmup=3, layers=(784, 1024, 1024, 10)),
    Workload("cnn", "Ising CNN (conv 8×3×3 → relu → maxpool → dense), batch 128, adam, f32", "Graphs/ising_cnn.nng",
             batch=128, optimizer={"kind": "adam", "lr": 0.001}, samples=128 * 8, steps=100, warmup=10),
    Workload("qho", "variational QHO, f64, a derivative of a derivative, 256 points", "Graphs/qho_variational.nng",
             batch=256, optimizer={"kind": "adam", "lr": 0.01}, samples=256, steps=200, warmup=20, dtype="f64"),
]

BY_KEY = {w.key: w for w in WORKLOADS}
