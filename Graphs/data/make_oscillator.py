#!/usr/bin/env python3
"""Writes oscillator.csv: 20 noisy observations of the damped harmonic oscillator
u'' + 2 zeta omega0 u' + omega0^2 u = 0 with u(0) = 1, u'(0) = 0 (pinn_oscillator.nng).

Truth: zeta = 0.1, omega0 = 3.0. The times are evenly spaced on [0, 2] (t_i = 2 i / 19), the
noise Gaussian with standard deviation 0.01; Python's Mersenne Twister with seed 2026 makes
the file the same on every run (it is committed; rerun to check).

Exact solution (underdamped, omega_d = omega0 sqrt(1 - zeta^2)):
    u(t) = exp(-zeta omega0 t) (cos(omega_d t) + zeta omega0 / omega_d sin(omega_d t))
"""
import math
import random

ZETA, OMEGA0, N, T_END, SIGMA, SEED = 0.1, 3.0, 20, 2.0, 0.01, 2026


def exact(t):
    wd = OMEGA0 * math.sqrt(1 - ZETA ** 2)
    return math.exp(-ZETA * OMEGA0 * t) * (math.cos(wd * t) + ZETA * OMEGA0 / wd * math.sin(wd * t))


rng = random.Random(SEED)
with open("oscillator.csv", "w") as f:
    f.write("t,u\n")
    for i in range(N):
        t = T_END * i / (N - 1)
        f.write(f"{t!r},{exact(t) + rng.gauss(0.0, SIGMA)!r}\n")
