#!/usr/bin/env python3
"""code-mutation sample: fits model.py's linear model to data.py's curve by gradient descent.

MUTABLE: nightshift's code proposer may edit this file (the optimiser, the schedule) as well as
model.py. Prints one line every 20 steps, which nightshift reads as metrics:

    step=40 train_loss=0.5123 val_loss=0.5377

and at the end writes the validation predictions to predictions.json in $NIGHTSHIFT_TRIAL_DIR (or
the current directory) for the frozen evaluate.py. Standard library only; runs in about a second.

By hand:  python3 train.py --lr 0.05 --steps 300 --l2 0.0001
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # keep the work tree clean (no __pycache__/)
import data  # noqa: E402
import model  # noqa: E402


def parse_args():
    env = json.loads(os.environ.get("NIGHTSHIFT_PARAMS") or "{}")
    ap = argparse.ArgumentParser(description="Fit a tiny linear model by gradient descent.")
    ap.add_argument("--lr", type=float, default=env.get("lr", 0.05))
    ap.add_argument("--steps", type=int, default=env.get("steps", 300))
    ap.add_argument("--l2", type=float, default=env.get("l2", 0.0001))
    return ap.parse_args()


def mse(weights, pts):
    return sum((model.predict(weights, x) - y) ** 2 for x, y in pts) / len(pts)


def main():
    args = parse_args()
    train, val = data.load()
    w = [0.0] * model.n_features()
    for step in range(1, args.steps + 1):
        grad = [0.0] * len(w)
        for x, y in train:
            err = model.predict(w, x) - y
            for i, f in enumerate(model.features(x)):
                grad[i] += 2.0 * err * f / len(train)
        w = [wi - args.lr * (gi + 2.0 * args.l2 * wi) for wi, gi in zip(w, grad)]
        if step % 20 == 0 or step == args.steps:
            tl, vl = mse(w, train), mse(w, val)
            if tl != tl or tl > 1e12:  # NaN or diverged: say so and stop
                print("diverged at step %d" % step, flush=True)
                sys.exit(3)
            print("step=%d train_loss=%.5f val_loss=%.5f" % (step, tl, vl), flush=True)
    out = os.path.join(os.environ.get("NIGHTSHIFT_TRIAL_DIR") or ".", "predictions.json")
    with open(out, "w") as f:
        json.dump({"val_pred": [model.predict(w, x) for x, _ in val]}, f)


if __name__ == "__main__":
    main()
