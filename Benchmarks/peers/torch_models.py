"""The workloads of workloads.py in PyTorch (eager, CPU), written as a PyTorch user would:
parameters as leaf tensors, torch.nn.functional, torch.optim (PyTorch's update rules are
the ones nngc implements), one backward per step."""
import numpy as np
import torch
import torch.nn.functional as F


def dense_loss(p, batch):
    """784-…-10 MLP: image/255, ReLU hidden layers, softmax cross-entropy on class labels."""
    h = batch["image"] / 255
    layers = sum(1 for name in p if name.startswith("W"))
    for i in range(1, layers + 1):
        h = h @ p[f"W{i}"] + p[f"b{i}"]
        if i < layers:
            h = F.relu(h)
    return F.cross_entropy(h, batch["label"])


def cnn_loss(p, batch):
    """Graphs/ising_cnn.nng: conv 8×3×3 pad 1 → ReLU → maxpool 2 → dense 512-32-1, BCE on logits."""
    x = batch["spins"].reshape(-1, 1, 16, 16)
    a = F.max_pool2d(F.relu(F.conv2d(x, p["K1"], padding=1) + p["c1"]), 2)
    h = F.relu(a.reshape(-1, 512) @ p["W1"] + p["b1"])
    z = h @ p["W2"] + p["b2"]
    return F.binary_cross_entropy_with_logits(z, batch["ordered"])


def _psi(x, w1, b1, w2, b2, w3):
    return torch.tanh(torch.tanh(x @ w1 + b1) @ w2 + b2) @ w3


def _energy(psi, dpsi, x):
    return torch.sum(0.5 * dpsi ** 2 + 0.5 * x ** 2 * psi ** 2) / torch.sum(psi ** 2)


def qho_loss(p, batch):
    """Graphs/qho_variational.nng: two wave functions, ψ' by autograd kept in the graph
    (create_graph) so that the parameter gradient differentiates a derivative."""
    x = batch["x"]
    psi0 = _psi(x, p["A1"], p["a1"], p["A2"], p["a2"], p["A3"])
    dpsi0, = torch.autograd.grad(psi0.sum(), x, create_graph=True)
    psi1 = _psi(x, p["B1"], p["b1"], p["B2"], p["b2"], p["B3"])
    dpsi1, = torch.autograd.grad(psi1.sum(), x, create_graph=True)
    g0 = psi0.detach()
    overlap = torch.sum(g0 * psi1) / torch.sqrt(torch.sum(g0 ** 2) * torch.sum(psi1 ** 2))
    return _energy(psi0, dpsi0, x) + _energy(psi1, dpsi1, x) + 10 * overlap ** 2


LOSSES = {"mlp": dense_loss, "wide": dense_loss, "cnn": cnn_loss, "qho": qho_loss}


def set_threads(n: int):
    torch.set_num_threads(n)
    torch.set_num_interop_threads(n)


def warm_up():
    """PyTorch's one-time start-up (lazy imports of autograd and torch.optim), kept out of the
    time to the first step: one step of a one-element model."""
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
    (w * 2).sum().backward()
    opt.step()
    torch.optim.Adam([w], lr=0.1).step()


def stage(workload, batch: dict):
    """A batch as the step reads it (untimed, like the data loading of every system)."""
    out = {}
    for name, a in batch.items():
        t = torch.from_numpy(np.ascontiguousarray(a))
        out[name] = t.long() if name == "label" else t
    if "x" in out:
        out["x"].requires_grad_(True)   # ψ' is a gradient with respect to x
    return out


def trainer(workload, params: dict):
    """A function batch → loss of one training step (forward, backward, update)."""
    p = {name: torch.tensor(v, requires_grad=True) for name, v in params.items()}
    o = workload.optimizer
    if o["kind"] == "sgd":
        opt = torch.optim.SGD(p.values(), lr=o["lr"], momentum=o.get("momentum", 0))
    else:
        opt = torch.optim.Adam(p.values(), lr=o["lr"])
    loss_of = LOSSES[workload.key]

    def step(batch):
        opt.zero_grad(set_to_none=True)
        loss = loss_of(p, batch)
        loss.backward()
        opt.step()
        return loss

    return step


def finish(loss) -> float:
    """The loss as a number (eager PyTorch has finished the step when it returns)."""
    return float(loss.item())

