#!/usr/bin/env python3
"""Writes pendulum_train.npy and pendulum_test.npy: trajectories of the damped pendulum

    theta'' = -sin(theta) - GAMMA * theta',   GAMMA = 0.1,

sampled every DT = 0.1 s for STEPS = 70 samples (the first is the initial angle), from initial
conditions theta0, omega0 uniform in [-1, 1] rad and rad/s. Each file holds float64 angles of
shape [N, 70, 1] (C order): 512 training and 64 held-out trajectories, with different seeds.
Integrated with classical Runge-Kutta at 20 substeps per sample (error far below 1e-6 rad).
Python's Mersenne Twister (seeds 15 and 16) makes the files the same on every run.
"""
import math
import random
import struct

GAMMA, DT, STEPS, SUBSTEPS = 0.1, 0.1, 70, 20


def derivative(theta, omega):
    return omega, -math.sin(theta) - GAMMA * omega


def trajectory(theta, omega):
    out = [theta]
    h = DT / SUBSTEPS
    for _ in range(STEPS - 1):
        for _ in range(SUBSTEPS):
            k1 = derivative(theta, omega)
            k2 = derivative(theta + h / 2 * k1[0], omega + h / 2 * k1[1])
            k3 = derivative(theta + h / 2 * k2[0], omega + h / 2 * k2[1])
            k4 = derivative(theta + h * k3[0], omega + h * k3[1])
            theta += h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
            omega += h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
        out.append(theta)
    return out


def write_npy(path, rows):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d, 1), }" % (len(rows), STEPS)
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        for row in rows:
            f.write(struct.pack("<%dd" % STEPS, *row))


for path, n, seed in [("pendulum_train.npy", 512, 15), ("pendulum_test.npy", 64, 16)]:
    rng = random.Random(seed)
    write_npy(path, [trajectory(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(n)])
