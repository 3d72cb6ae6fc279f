#!/usr/bin/env python3
# Reproduces the "newest Optuna TPE" reference figures with Debian's Optuna 3.1 patched to the newest
# Parzen rules (see docs/proposers.md, "Latest results"). Needs /usr/bin/python3 with python3-optuna.
# Usage: /usr/bin/python3 test/bench/optuna_newest_rules.py FIRST_SEED END_SEED [opt5|scott|withprior|nologsigma]
import sys, math, warnings, time
import numpy as np
import optuna
from optuna.samplers._tpe import parzen_estimator as pe
from optuna.samplers._tpe import _truncnorm as tn
optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")
variant = sys.argv[3] if len(sys.argv) > 3 else "opt5"

_orig_logpdf = tn.logpdf
def logpdf(x, a, b, loc=0, scale=1):
    return _orig_logpdf(x, a, b, loc, scale) - np.log(scale)
pe.truncnorm.logpdf = logpdf if variant != "nologsigma" else _orig_logpdf

def _calc(self, observations, param_name):
    n = self._n_observations
    low = self._low[param_name]; high = self._high[param_name]
    prior_mu = 0.5 * (low + high)
    mus = np.empty(n + 1); mus[:n] = observations; mus[n] = prior_mu
    base = mus if variant == "withprior" else mus[:n]
    if variant == "scott":
        sig = np.full(len(base), self._sigmas0 * (high - low)) if self._sigmas0 is not None else None
    if variant != "scott" or sig is None:
        order = np.argsort(base, kind="stable")
        s = base[order]
        e = np.empty(len(base) + 2); e[0] = low; e[1:-1] = s; e[-1] = high
        ss = np.maximum(e[1:-1] - e[:-2], e[2:] - e[1:-1])
        if e.shape[0] >= 4:
            ss[0] = e[2] - e[1]; ss[-1] = e[-2] - e[-3]
        sig = ss[np.argsort(order)]
    sigmas = np.empty(n + 1); sigmas[:n] = sig[:n]
    minsigma = (high - low) / min(100.0, 1.0 + (n + 1))
    sigmas = np.clip(sigmas, minsigma, high - low)
    sigmas[n] = high - low
    return mus, sigmas
pe._ParzenEstimator._calculate_numerical_params = _calc

def branin(x, y):
    b = 5.1 / (4 * math.pi**2); c = 5 / math.pi; t = 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10

s0, s1 = int(sys.argv[1]), int(sys.argv[2])
r100, r200 = [], []
for seed in range(s0, s1):
    sampler = optuna.samplers.TPESampler(seed=seed, multivariate=True, constant_liar=True)
    st = optuna.create_study(sampler=sampler)
    st.optimize(lambda t: branin(t.suggest_float("x", -5, 10), t.suggest_float("y", 0, 15)), n_trials=200)
    vals = [t.value for t in st.trials]
    r100.append(min(vals[:100])); r200.append(min(vals[:200]))
    print(seed, r100[-1], r200[-1], file=sys.stderr, flush=True)
opt = 0.397887
print(f"{variant} seeds {s0}-{s1-1}: @100 mean {np.mean(r100):.4f} medReg {np.median(np.array(r100)-opt):.4f} | @200 mean {np.mean(r200):.4f} medReg {np.median(np.array(r200)-opt):.4f}")
