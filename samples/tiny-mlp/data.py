"""The tiny-mlp data set: a 3-class 2-D spiral, generated from a fixed seed (standard library only).

Frozen: train.py and evaluate.py both call ``load()``, so every trial and the evaluator see the same
points. ``python3 data.py`` prints a few rows and the class balance.
"""
import math
import random

SEED = 20240601
CLASSES = 3
PER_CLASS = 200
NOISE = 0.25
TRAIN_FRACTION = 2 / 3


def make_spiral(per_class=PER_CLASS, classes=CLASSES, noise=NOISE, seed=SEED):
    """Points (x, y, label) on `classes` interleaved spiral arms, as in the CS231n example."""
    rng = random.Random(seed)
    points = []
    for c in range(classes):
        for i in range(per_class):
            r = i / (per_class - 1)
            t = c * 4.0 + 4.0 * r + rng.gauss(0.0, noise)
            points.append((r * math.sin(t), r * math.cos(t), c))
    return points


def load():
    """(train, val): two lists of ((x, y), label), split deterministically."""
    points = make_spiral()
    random.Random(SEED + 1).shuffle(points)
    n_train = int(len(points) * TRAIN_FRACTION)
    rows = [((x, y), c) for x, y, c in points]
    return rows[:n_train], rows[n_train:]


if __name__ == "__main__":
    train, val = load()
    print("train %d  val %d  classes %d" % (len(train), len(val), CLASSES))
    for (x, y), c in train[:5]:
        print("%+.4f %+.4f  class %d" % (x, y, c))
    print("val class counts:", [sum(1 for _, c in val if c == k) for k in range(CLASSES)])
