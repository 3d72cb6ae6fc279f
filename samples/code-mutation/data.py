"""Frozen data for the code-mutation sample: a noisy 1-D curve, split into train and validation.

Deterministic (fixed seed), standard library only. The curve is deliberately not a polynomial of
low degree, so a better model (more or different features, a better optimiser) gives a lower
validation loss: room for a model to find improvements in model.py and train.py.
"""
import math
import random

N_TRAIN = 160
N_VAL = 80


def target(x):
    return math.sin(2.5 * x) + 0.4 * x * x - 0.3 * x


def load():
    """Returns (train, val): lists of (x, y) pairs."""
    rng = random.Random(1234)
    xs = [rng.uniform(-2.0, 2.0) for _ in range(N_TRAIN + N_VAL)]
    pts = [(x, target(x) + rng.gauss(0.0, 0.1)) for x in xs]
    return pts[:N_TRAIN], pts[N_TRAIN:]
