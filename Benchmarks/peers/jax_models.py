"""The workloads of workloads.py in JAX, written as a JAX user would: a pure loss function,
jax.value_and_grad, an optax optimizer (its sgd momentum and adam are PyTorch's rules), and
the whole step under one jax.jit with the parameters and optimizer state donated."""
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

jax.config.update("jax_enable_x64", True)   # the QHO is f64; f32 arrays stay f32


def dense_loss(p, batch):
    """784-…-10 MLP: image/255, ReLU hidden layers, softmax cross-entropy on class labels."""
    h = batch["image"] / 255
    layers = sum(1 for name in p if name.startswith("W"))
    for i in range(1, layers + 1):
        h = h @ p[f"W{i}"] + p[f"b{i}"]
        if i < layers:
            h = jax.nn.relu(h)
    return optax.softmax_cross_entropy_with_integer_labels(h, batch["label"]).mean()


def cnn_loss(p, batch):
    """Graphs/ising_cnn.nng: conv 8×3×3 pad 1 → ReLU → maxpool 2 → dense 512-32-1, BCE on logits."""
    x = batch["spins"].reshape(-1, 1, 16, 16)
    c = jax.lax.conv_general_dilated(x, p["K1"], window_strides=(1, 1), padding=((1, 1), (1, 1)),
                                     dimension_numbers=("NCHW", "OIHW", "NCHW"))
    r = jax.nn.relu(c + p["c1"])
    a = jax.lax.reduce_window(r, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
    h = jax.nn.relu(a.reshape(-1, 512) @ p["W1"] + p["b1"])
    z = h @ p["W2"] + p["b2"]
    return optax.sigmoid_binary_cross_entropy(z, batch["ordered"]).mean()


def _psi(x, w1, b1, w2, b2, w3):
    return jnp.tanh(jnp.tanh(x @ w1 + b1) @ w2 + b2) @ w3


def _energy(psi, dpsi, x):
    return jnp.sum(0.5 * dpsi ** 2 + 0.5 * x ** 2 * psi ** 2) / jnp.sum(psi ** 2)


def qho_loss(p, batch):
    """Graphs/qho_variational.nng: ψ' = grad of Σψ with respect to x, inside the loss whose
    parameter gradient the step takes (a derivative of a derivative)."""
    x = batch["x"]
    w0 = (p["A1"], p["a1"], p["A2"], p["a2"], p["A3"])
    w1 = (p["B1"], p["b1"], p["B2"], p["b2"], p["B3"])
    psi0, dpsi0 = _psi(x, *w0), jax.grad(lambda x: _psi(x, *w0).sum())(x)
    psi1, dpsi1 = _psi(x, *w1), jax.grad(lambda x: _psi(x, *w1).sum())(x)
    g0 = jax.lax.stop_gradient(psi0)
    overlap = jnp.sum(g0 * psi1) / jnp.sqrt(jnp.sum(g0 ** 2) * jnp.sum(psi1 ** 2))
    return _energy(psi0, dpsi0, x) + _energy(psi1, dpsi1, x) + 10 * overlap ** 2


LOSSES = {"mlp": dense_loss, "wide": dense_loss, "cnn": cnn_loss, "qho": qho_loss}


def set_threads(n: int):
    """XLA's CPU threads are set by XLA_FLAGS before import (run.py does it) and by taskset."""


def warm_up():
    """JAX's one-time start-up (lazy imports, the CPU client), kept out of the time to the first
    step: one jitted gradient step of a one-element model."""
    tx = optax.adam(0.1)
    p = jnp.zeros(1)
    g = jax.jit(jax.grad(lambda p: jnp.sum(p * 2)))(p)
    jax.block_until_ready(tx.update(g, tx.init(p), p))


def stage(workload, batch: dict):
    """A batch as device arrays (untimed, like the data loading of every system)."""
    return {name: jnp.asarray(a.astype(np.int32) if name == "label" else a) for name, a in batch.items()}


def trainer(workload, params: dict):
    """A function batch → loss of one training step (forward, backward, update), jitted."""
    o = workload.optimizer
    tx = optax.sgd(o["lr"], momentum=o.get("momentum") or None) if o["kind"] == "sgd" else optax.adam(o["lr"])
    loss_of = LOSSES[workload.key]

    def update(p, state, batch):
        loss, grads = jax.value_and_grad(loss_of)(p, batch)
        updates, state = tx.update(grads, state, p)
        return optax.apply_updates(p, updates), state, loss

    update = jax.jit(update, donate_argnums=(0, 1))
    p = {name: jnp.asarray(v) for name, v in params.items()}
    state = [p, tx.init(p)]

    def step(batch):
        state[0], state[1], loss = update(state[0], state[1], batch)
        jax.block_until_ready(state)
        return loss

    return step


def finish(loss) -> float:
    return float(loss)

