"""nightshift trial helper: report metrics, honour prune/stop requests, read params.

Dependency-free (Python 3.8+ standard library only). The nightshift runner puts this directory on
PYTHONPATH, so a training script can do::

    import nightshift

    p = nightshift.params()                  # {} when run by hand
    for step in range(100):
        loss = train_one_epoch(lr=p.get("lr", 0.1))
        nightshift.report(step, val_loss=loss)   # prints "step=12 val_loss=0.53" and flushes
        if nightshift.should_prune():            # the supervisor asked this trial to stop
            break

Everything degrades gracefully outside nightshift: ``params()`` returns ``{}``, ``should_prune()``
returns False and ``trial_dir()`` returns None.
"""

import json
import math
import os
import re
import sys
import time

__all__ = ["report", "should_prune", "control", "params", "trial_dir", "trial_id"]

_KEY_OK = re.compile(r"^[A-Za-z_](?:[\w./-]*\w)?$")
_KEY_BAD_CHARS = re.compile(r"[^\w./-]+")

# Control-file cache: the file is read only when its (mtime, size, inode) changes, or when the last
# read was "racy" (the file changed so recently that a second write in the same timestamp tick
# would not change mtime), as git does for its index.
_RACY_NS = 100_000_000
_cache = {"path": None, "sig": None, "racy": True, "value": ""}


def _format_value(value):
    """One number as the parser reads it: ints as ints, floats with 8 significant digits."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    try:
        v = float(value)  # numpy scalars, 0-d tensors, Decimal, ...
    except (TypeError, ValueError):
        raise TypeError("nightshift.report: metric value %r is not a number" % (value,))
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == int(v) and abs(v) < 1e15:
        return repr(v)  # "3.0"
    return "%.8g" % v


def _format_key(key):
    key = str(key)
    if _KEY_OK.match(key):
        return key
    fixed = _KEY_BAD_CHARS.sub("_", key).strip("./-")
    if not fixed or not (fixed[0].isalpha() or fixed[0] == "_"):
        fixed = "_" + fixed
    return fixed


def report(step=None, **metrics):
    """Print one metrics line, e.g. ``step=12 val_loss=0.53 acc=0.81``, and flush stdout.

    ``step`` (a non-negative int) is the x-axis; leave it None to let nightshift count reports.
    Metric names are kept as given when they are valid keys (letters, digits, ``_ . / -``), and
    otherwise made valid (``"val loss"`` -> ``val_loss``). Values may be ints, floats, numpy
    scalars or anything ``float()`` accepts; nan and inf are printed as such.
    """
    parts = []
    if step is not None:
        s = int(step)
        if s < 0:
            raise ValueError("nightshift.report: step must be >= 0, got %r" % (step,))
        parts.append("step=%d" % s)
    for key, value in metrics.items():
        parts.append("%s=%s" % (_format_key(key), _format_value(value)))
    if not metrics:
        return
    sys.stdout.write(" ".join(parts) + "\n")
    sys.stdout.flush()


def control():
    """The supervisor's request for this trial: ``"prune"``, ``"stop"`` or ``""`` (carry on).

    Cheap enough to call every step: one ``os.stat`` of ``$NIGHTSHIFT_CONTROL``; the file is read
    only when it changed.
    """
    path = os.environ.get("NIGHTSHIFT_CONTROL")
    if not path:
        return ""
    if _cache["path"] != path:
        _cache.update(path=path, sig=None, racy=True, value="")
    try:
        st = os.stat(path)
    except OSError:
        _cache.update(sig=None, racy=True, value="")
        return ""
    sig = (st.st_mtime_ns, st.st_size, st.st_ino)
    if sig == _cache["sig"] and not _cache["racy"]:
        return _cache["value"]
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            text = f.read(4096)
    except OSError:
        return _cache["value"]
    words = text.strip().lower()
    value = "stop" if "stop" in words else "prune" if "prune" in words else ""
    racy = time.time_ns() - st.st_mtime_ns < _RACY_NS
    _cache.update(sig=sig, racy=racy, value=value)
    return value


def should_prune():
    """True when the supervisor asked this trial to exit (the control file reads prune or stop)."""
    return control() != ""


def params():
    """The trial's parameters: ``$NIGHTSHIFT_PARAMS`` (JSON), else ``params.json`` in the trial
    directory, else ``{}`` (run by hand)."""
    raw = os.environ.get("NIGHTSHIFT_PARAMS")
    if raw:
        try:
            value = json.loads(raw)
        except ValueError as e:
            raise ValueError("NIGHTSHIFT_PARAMS is not valid JSON: %s" % e)
        if not isinstance(value, dict):
            raise ValueError("NIGHTSHIFT_PARAMS must be a JSON object, got %s" % type(value).__name__)
        return value
    d = trial_dir()
    if d:
        path = os.path.join(d, "params.json")
        if os.path.exists(path):
            with open(path, "r", encoding="utf-8") as f:
                value = json.load(f)
            if isinstance(value, dict):
                return value
    return {}


def trial_dir():
    """The trial's own directory (``$NIGHTSHIFT_TRIAL_DIR``), or None outside nightshift."""
    return os.environ.get("NIGHTSHIFT_TRIAL_DIR") or None


def trial_id():
    """The trial's id (``$NIGHTSHIFT_TRIAL_ID``), or None outside nightshift."""
    return os.environ.get("NIGHTSHIFT_TRIAL_ID") or None
