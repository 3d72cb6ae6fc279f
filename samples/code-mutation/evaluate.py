#!/usr/bin/env python3
"""Frozen evaluator for code-mutation: scores a trial from the predictions it wrote, not its log.

Reads predictions.json ({"val_pred": [...]}, one number per validation point in data.py's order)
from $NIGHTSHIFT_TRIAL_DIR (or the current directory) and prints

    val_loss: 0.0123

(mean squared error against data.py's validation targets). Exit status 1 with a one-line reason
when the file is missing or malformed. A code edit cannot change this file or data.py: both are
frozen, and an edit that touches them is refused before it runs.
"""
import json
import math
import os
import sys

sys.dont_write_bytecode = True
import data  # noqa: E402


def fail(msg):
    sys.stderr.write("evaluate.py: %s\n" % msg)
    sys.exit(1)


def main():
    path = os.path.join(os.environ.get("NIGHTSHIFT_TRIAL_DIR") or ".", "predictions.json")
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))
    except ValueError as e:
        fail("%s is not valid JSON: %s" % (path, e))
    _, val = data.load()
    pred = doc.get("val_pred") if isinstance(doc, dict) else None
    if not isinstance(pred, list) or len(pred) != len(val):
        fail("%s: expected {\"val_pred\": [...]} with %d numbers" % (path, len(val)))
    if not all(isinstance(p, (int, float)) and math.isfinite(p) for p in pred):
        fail("%s: every prediction must be a finite number" % path)
    loss = sum((p - y) ** 2 for p, (_, y) in zip(pred, val)) / len(val)
    print("val_loss: %.6f" % loss)


if __name__ == "__main__":
    main()
