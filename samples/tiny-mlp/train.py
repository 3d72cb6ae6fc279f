#!/usr/bin/env python3
"""tiny-mlp: a real multi-layer perceptron, trained with SGD + momentum, in pure Python.

Classifies the 3-class 2-D spiral from data.py with a 2 -> width -> width -> 3 network. No numpy:
the matrix maths is plain lists (map/sum dot products), so keep `width` small. Prints one line per
epoch, which nightshift reads as metrics:

    step=12 train_loss=0.4817 val_loss=0.5230 val_acc=0.8083

and at the end writes the validation set's class probabilities to predictions.json in
$NIGHTSHIFT_TRIAL_DIR (or the current directory), for evaluate.py.

Run it by hand:  python3 train.py --lr 0.05 --width 24 --momentum 0.9 --activation tanh
Under nightshift the knobs arrive as {placeholders} in the campaign's command; any knob left off
the command line is taken from $NIGHTSHIFT_PARAMS. A ``prune`` or ``stop`` written to the file
named by $NIGHTSHIFT_CONTROL ends training after the current epoch.
"""
import argparse
import json
import math
import os
import random
import sys
import time
from operator import mul

sys.dont_write_bytecode = True  # keep the campaign's work tree clean (no __pycache__/)
import data  # noqa: E402

# The runner puts nightshift's python/ directory on PYTHONPATH; run by hand from this checkout,
# the same helper is two folders up.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from nightshift import should_prune  # noqa: E402


def _sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# activation name -> (f(z), f'(z) expressed through a = f(z))
ACTIVATIONS = {
    "relu": (lambda z: z if z > 0.0 else 0.0, lambda a: 1.0 if a > 0.0 else 0.0),
    "tanh": (math.tanh, lambda a: 1.0 - a * a),
    "sigmoid": (_sigmoid, lambda a: a * (1.0 - a)),
}


def parse_args():
    env = json.loads(os.environ.get("NIGHTSHIFT_PARAMS") or "{}")
    ap = argparse.ArgumentParser(description="Train a tiny pure-Python MLP on a 2-D spiral.")
    ap.add_argument("--lr", type=float, default=env.get("lr", 0.05), help="learning rate")
    ap.add_argument("--width", type=int, default=env.get("width", 24), help="hidden units per layer")
    ap.add_argument("--momentum", type=float, default=env.get("momentum", 0.9), help="SGD momentum")
    ap.add_argument("--activation", choices=sorted(ACTIVATIONS), default=env.get("activation", "tanh"))
    ap.add_argument("--epochs", type=int, default=env.get("epochs", 40))
    ap.add_argument("--batch-size", type=int, default=env.get("batch_size", 16))
    ap.add_argument("--seed", type=int, default=env.get("seed", 0), help="weight init and shuffling")
    ap.add_argument("--out", default=None, help="predictions file (default: <trial dir>/predictions.json)")
    return ap.parse_args()


def dot(a, b):
    return sum(map(mul, a, b))


class MLP:
    def __init__(self, sizes, activation, rng):
        self.act, self.dact = ACTIVATIONS[activation]
        self.W, self.b = [], []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            s = math.sqrt(6.0 / (fan_in + fan_out))  # Glorot uniform
            self.W.append([[rng.uniform(-s, s) for _ in range(fan_in)] for _ in range(fan_out)])
            self.b.append([0.0] * fan_out)
        self.vW = [[[0.0] * len(row) for row in W] for W in self.W]
        self.vb = [[0.0] * len(b) for b in self.b]

    def forward(self, x):
        """Activations of every layer for one input; the last is the softmax output."""
        acts = [x]
        last = len(self.W) - 1
        for i, (W, b) in enumerate(zip(self.W, self.b)):
            h = acts[-1]
            z = [dot(row, h) + bj for row, bj in zip(W, b)]
            if i < last:
                acts.append([self.act(v) for v in z])
            else:
                m = max(z)
                e = [math.exp(v - m) for v in z]
                s = sum(e)
                acts.append([v / s for v in e])
        return acts

    def train_batch(self, batch, lr, momentum):
        """One SGD+momentum step on a minibatch; returns the summed cross-entropy."""
        n_layers = len(self.W)
        per_layer_in = [[] for _ in range(n_layers)]   # inputs of each layer, one row per sample
        per_layer_dz = [[] for _ in range(n_layers)]   # dLoss/dz of each layer, one row per sample
        loss = 0.0
        WT = [list(zip(*W)) for W in self.W]
        for x, label in batch:
            acts = self.forward(x)
            p = acts[-1]
            loss -= math.log(max(p[label], 1e-12))
            dz = list(p)
            dz[label] -= 1.0
            for i in range(n_layers - 1, -1, -1):
                per_layer_in[i].append(acts[i])
                per_layer_dz[i].append(dz)
                if i > 0:
                    a = acts[i]
                    dz = [dot(col, dz) * self.dact(ai) for col, ai in zip(WT[i], a)]
        scale = 1.0 / len(batch)
        for i in range(n_layers):
            inputs_T = list(zip(*per_layer_in[i]))
            dz_T = list(zip(*per_layer_dz[i]))
            W, vW, b, vb = self.W[i], self.vW[i], self.b[i], self.vb[i]
            for k, dzk in enumerate(dz_T):
                grad_row = [dot(dzk, col) * scale for col in inputs_T]
                v = [momentum * vi - lr * gi for vi, gi in zip(vW[k], grad_row)]
                vW[k] = v
                W[k] = [wi + vi for wi, vi in zip(W[k], v)]
                gb = sum(dzk) * scale
                vb[k] = momentum * vb[k] - lr * gb
                b[k] += vb[k]
        return loss

    def evaluate(self, rows):
        loss, correct, probs = 0.0, 0, []
        for x, label in rows:
            p = self.forward(x)[-1]
            probs.append(p)
            loss -= math.log(max(p[label], 1e-12))
            correct += max(range(len(p)), key=p.__getitem__) == label
        return loss / len(rows), correct / len(rows), probs


def main():
    a = parse_args()
    train, val = data.load()
    rng = random.Random(a.seed)
    net = MLP([2, a.width, a.width, data.CLASSES], a.activation, rng)
    sys.stderr.write("tiny-mlp: lr=%g width=%d momentum=%g activation=%s epochs=%d\n"
                     % (a.lr, a.width, a.momentum, a.activation, a.epochs))
    t0 = time.time()
    probs = None
    for epoch in range(1, a.epochs + 1):
        rng.shuffle(train)
        total = 0.0
        for start in range(0, len(train), a.batch_size):
            total += net.train_batch(train[start:start + a.batch_size], a.lr, a.momentum)
        train_loss = total / len(train)
        if not math.isfinite(train_loss):
            print("step=%d train_loss=nan val_loss=nan" % epoch, flush=True)
            sys.stderr.write("tiny-mlp: training diverged at epoch %d (lr too high?)\n" % epoch)
            return 1
        val_loss, val_acc, probs = net.evaluate(val)
        print("step=%d train_loss=%.4f val_loss=%.4f val_acc=%.4f" % (epoch, train_loss, val_loss, val_acc),
              flush=True)
        if should_prune():
            sys.stderr.write("tiny-mlp: stopping after epoch %d (asked by nightshift)\n" % epoch)
            return 0
    out = a.out or os.path.join(os.environ.get("NIGHTSHIFT_TRIAL_DIR") or ".", "predictions.json")
    with open(out, "w") as f:
        json.dump({"val_probs": [[round(v, 6) for v in p] for p in probs]}, f)
    sys.stderr.write("tiny-mlp: %.1fs, wrote %s\n" % (time.time() - t0, out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
