#!/usr/bin/env python3
"""Writes hooke.csv: 200 noisy samples of Hooke's law F = -k x with k = 3.7.

x is uniform in [-1, 1], the noise Gaussian with standard deviation 0.1; Python's Mersenne
Twister with seed 2024 makes the file the same on every run (it is committed; rerun to check).
"""
import random

K, N, SIGMA = 3.7, 200, 0.1
rng = random.Random(2024)
with open("hooke.csv", "w") as f:
    f.write("x,F\n")
    for _ in range(N):
        x = rng.uniform(-1.0, 1.0)
        F = -K * x + rng.gauss(0.0, SIGMA)
        f.write(f"{x!r},{F!r}\n")
