#!/usr/bin/env python3
"""Writes poly_train.csv (20 points) and poly_val.csv (100 points): y = sin(πx) + noise.

x is uniform in [-1, 1], the noise Gaussian with standard deviation 0.2; Python's Mersenne
Twister with seed 7 makes the files the same on every run (they are committed; rerun to check).
"""
import math
import random

rng = random.Random(7)

def write(name, n):
    with open(name, "w") as f:
        f.write("x,y\n")
        for _ in range(n):
            x = rng.uniform(-1.0, 1.0)
            f.write(f"{x!r},{math.sin(math.pi * x) + rng.gauss(0.0, 0.2)!r}\n")

write("poly_train.csv", 20)
write("poly_val.csv", 100)
