#!/usr/bin/env python3
"""Writes mlp3.csv (y = sin(x1) + x2·x3) and mlp10.csv (y = Σ sin(xi) / √10), 512 rows each,
x uniform in [-1, 1]; Python's Mersenne Twister with seed 3 (the files are committed)."""
import math
import random

rng = random.Random(3)

def write(name, d, f):
    with open(name, "w") as out:
        out.write(",".join([f"x{i + 1}" for i in range(d)] + ["y"]) + "\n")
        for _ in range(512):
            x = [rng.uniform(-1.0, 1.0) for _ in range(d)]
            out.write(",".join(repr(v) for v in x + [f(x)]) + "\n")

write("mlp3.csv", 3, lambda x: math.sin(x[0]) + x[1] * x[2])
write("mlp10.csv", 10, lambda x: sum(math.sin(v) for v in x) / math.sqrt(10))
