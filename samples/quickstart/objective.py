#!/usr/bin/env python3
"""Quickstart objective: an instant, synthetic "training run" with a learning curve.

No ML library needed (standard library only). It pretends to train a network for 20 steps and
prints one line per step, ``step=7 loss=0.8123``, which nightshift reads as the metric ``loss``.
The final loss depends on four knobs and has a clear optimum near
lr=0.03-0.1, width=96, act=gelu, dropout=0.15 (final loss ~0.15), plus a little noise.

Run it by hand:   python3 objective.py --lr 0.05 --width 64 --act relu --dropout 0.1
Under nightshift the knobs arrive as {placeholders} in the campaign's command (or, for any knob
left off the command line, from $NIGHTSHIFT_PARAMS). When nightshift writes ``prune`` or ``stop``
to the file named by $NIGHTSHIFT_CONTROL, the run stops at the next step.
"""
import argparse
import json
import math
import os
import random
import sys
import time

# The runner puts nightshift's python/ directory on PYTHONPATH; run by hand from this checkout,
# the same helper is two folders up.
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from nightshift import should_prune  # noqa: E402

STEPS = 20
STEP_SECONDS = 0.04
ACTIVATION_PENALTY = {"gelu": 0.0, "relu": 0.05, "tanh": 0.15, "sigmoid": 0.4}


def parse_args():
    env = json.loads(os.environ.get("NIGHTSHIFT_PARAMS") or "{}")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lr", type=float, default=env.get("lr", 0.01), help="learning rate (1e-4 .. 1)")
    ap.add_argument("--width", type=int, default=env.get("width", 32), help="hidden width (8 .. 256)")
    ap.add_argument("--act", choices=sorted(ACTIVATION_PENALTY), default=env.get("act", "relu"))
    ap.add_argument("--dropout", type=float, default=env.get("dropout", 0.0), help="dropout (0 .. 0.5)")
    ap.add_argument("--steps", type=int, default=STEPS)
    ap.add_argument("--step-seconds", type=float, default=STEP_SECONDS)
    return ap.parse_args()


def final_loss(a):
    lr_term = 0.35 * (math.log10(a.lr) - math.log10(0.03)) ** 2
    width_term = 0.06 * (math.log2(max(a.width, 1)) - math.log2(96)) ** 2
    dropout_term = 1.2 * (a.dropout - 0.15) ** 2
    return 0.1 + lr_term + width_term + dropout_term + ACTIVATION_PENALTY[a.act]


def main():
    a = parse_args()
    if a.lr <= 0:
        sys.exit("objective.py: --lr must be > 0")
    # Noise seeded by the knobs and the trial id: repeatable for a trial, different across trials.
    seed = "%r|%r|%r|%r|%s" % (a.lr, a.width, a.act, a.dropout, os.environ.get("NIGHTSHIFT_TRIAL_ID", ""))
    rng = random.Random(seed)
    target = final_loss(a)
    start = 2.5
    # Larger learning rates converge faster; too large ones become unstable late in training.
    tau = 1.5 + 4.0 * abs(math.log10(a.lr / 0.3))
    unstable = max(0.0, math.log10(a.lr / 0.3))
    sys.stderr.write("objective(lr, width, act, dropout) = (%g, %d, %s, %g)\n" % (a.lr, a.width, a.act, a.dropout))
    for step in range(1, a.steps + 1):
        time.sleep(a.step_seconds)
        loss = target + (start - target) * math.exp(-step / tau)
        loss += unstable * 0.08 * step  # divergence for lr > 0.3
        loss += rng.gauss(0.0, 0.015 + 0.02 * math.exp(-step / 5))
        print("step=%d loss=%.5f" % (step, max(loss, 0.0)), flush=True)
        if should_prune():
            sys.stderr.write("objective: stopping at step %d (asked by nightshift)\n" % step)
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
