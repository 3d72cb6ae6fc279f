#!/usr/bin/env python3
"""Frozen evaluator for tiny-mlp: scores a trial from the predictions it wrote, not from its log.

Reads predictions.json (the validation set's class probabilities, in data.py's order) from the
path given as the first argument, else from $NIGHTSHIFT_TRIAL_DIR, else from the current
directory; recomputes the labels with data.py; prints

    val_loss: 0.2134
    val_acc:  0.9450

Exit status 1 with a one-line reason when the file is missing or malformed. Standard library only.
"""
import json
import math
import os
import sys

sys.dont_write_bytecode = True  # keep the campaign's work tree clean (no __pycache__/)
import data  # noqa: E402


def fail(msg):
    sys.stderr.write("evaluate.py: %s\n" % msg)
    sys.exit(1)


def main():
    if len(sys.argv) > 1:
        path = sys.argv[1]
    else:
        path = os.path.join(os.environ.get("NIGHTSHIFT_TRIAL_DIR") or ".", "predictions.json")
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        fail("cannot read %s: %s" % (path, e.strerror))
    except ValueError as e:
        fail("%s is not valid JSON: %s" % (path, e))
    _, val = data.load()
    probs = doc.get("val_probs") if isinstance(doc, dict) else None
    if not isinstance(probs, list) or len(probs) != len(val):
        fail("%s: expected {\"val_probs\": [...]} with %d rows" % (path, len(val)))
    loss, correct = 0.0, 0
    for i, ((_, label), p) in enumerate(zip(val, probs)):
        if (not isinstance(p, list) or len(p) != data.CLASSES
                or not all(isinstance(v, (int, float)) and math.isfinite(v) and v >= 0 for v in p)):
            fail("%s: row %d is not %d non-negative probabilities" % (path, i, data.CLASSES))
        s = sum(p)
        if abs(s - 1.0) > 1e-3:
            fail("%s: row %d sums to %g, not 1" % (path, i, s))
        loss -= math.log(max(p[label] / s, 1e-12))
        correct += max(range(data.CLASSES), key=p.__getitem__) == label
    print("val_loss: %.6f" % (loss / len(val)))
    print("val_acc:  %.4f" % (correct / len(val)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
