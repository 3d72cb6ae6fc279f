"""Optuna side of `npm run bench -- proposers` (test/bench/proposers.ts runs it).

Runs the same problems, seeds and trial counts as the TypeScript side with Optuna's RandomSampler,
TPESampler (independent and multivariate) and CmaEsSampler, and times TPESampler.ask() at given
history sizes. Prints one JSON object on stdout. The problems must match test/bench/problems.ts.

    python3 optuna_bench.py quality --problems branin,mixed --seeds 0,1,2 --trials 200
    python3 optuna_bench.py speed --sizes 100,1000 --reps 20
    python3 optuna_bench.py version
"""

import argparse
import json
import math
import random
import sys
import time
import warnings

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")

H6_ALPHA = [1.0, 1.2, 3.0, 3.2]
H6_A = [
    [10, 3, 17, 3.5, 1.7, 8],
    [0.05, 10, 17, 0.1, 8, 14],
    [3, 3.5, 1.7, 10, 17, 8],
    [17, 8, 0.05, 10, 0.1, 14],
]
H6_P = [
    [v * 1e-4 for v in row]
    for row in [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
]


def hartmann6(x):
    s = 0.0
    for i in range(4):
        inner = sum(H6_A[i][j] * (x[j] - H6_P[i][j]) ** 2 for j in range(6))
        s += H6_ALPHA[i] * math.exp(-inner)
    return -s


def branin(x, y):
    b = 5.1 / (4 * math.pi**2)
    c = 5 / math.pi
    t = 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


def rosenbrock(x):
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(len(x) - 1))


X6 = ["x0", "x1", "x2", "x3", "x4", "x5"]
MIXED_TARGET = {"relu": 12, "tanh": 4, "gelu": 8, "silu": 16}
MIXED_OFFSET = {"relu": 0.5, "tanh": 1.0, "gelu": 0.0, "silu": 0.25}


def obj_hartmann6(trial):
    return hartmann6([trial.suggest_float(k, 0, 1) for k in X6])


def obj_branin(trial):
    return branin(trial.suggest_float("x", -5, 10), trial.suggest_float("y", 0, 15))


def obj_rosenbrock6(trial):
    return rosenbrock([trial.suggest_float(k, -5, 10) for k in X6])


def obj_mixed(trial):
    x = trial.suggest_float("x", -5, 10)
    y = trial.suggest_float("y", 0, 15)
    units = trial.suggest_int("units", 0, 20)
    act = trial.suggest_categorical("act", ["relu", "tanh", "gelu", "silu"])
    return branin(x, y) + 0.05 * (units - MIXED_TARGET[act]) ** 2 + MIXED_OFFSET[act]


OBJECTIVES = {
    "hartmann6": obj_hartmann6,
    "branin": obj_branin,
    "rosenbrock6": obj_rosenbrock6,
    "mixed": obj_mixed,
}


def make_sampler(name, seed):
    s = optuna.samplers
    if name == "random":
        return s.RandomSampler(seed=seed)
    if name == "tpe":
        return s.TPESampler(seed=seed)
    if name == "tpe_mv":
        return s.TPESampler(seed=seed, multivariate=True)
    if name == "cmaes":
        return s.CmaEsSampler(seed=seed, warn_independent_sampling=False)
    raise ValueError(name)


def quality(args):
    checkpoints = [int(c) for c in args.checkpoints.split(",")]
    out = []
    for problem in args.problems.split(","):
        for sampler in args.samplers.split(","):
            for seed in [int(s) for s in args.seeds.split(",")]:
                study = optuna.create_study(sampler=make_sampler(sampler, seed))
                t0 = time.perf_counter()
                try:
                    study.optimize(OBJECTIVES[problem], n_trials=args.trials)
                except Exception as e:  # an unsupported combination: report, don't die
                    out.append({"problem": problem, "sampler": sampler, "seed": seed, "error": repr(e)})
                    continue
                elapsed = time.perf_counter() - t0
                best = math.inf
                bests = {}
                for i, t in enumerate(study.trials):
                    if t.value is not None and t.value < best:
                        best = t.value
                    if i + 1 in checkpoints:
                        bests[str(i + 1)] = best
                out.append(
                    {"problem": problem, "sampler": sampler, "seed": seed, "best": bests, "seconds": elapsed}
                )
    return out


def speed(args):
    """Median and p90 of ask() (all six parameters sampled in ask) after n completed Hartmann6 trials."""
    dists = {k: optuna.distributions.FloatDistribution(0, 1) for k in X6}
    rng = random.Random(12345)
    out = []
    for n in [int(s) for s in args.sizes.split(",")]:
        trials = []
        for _ in range(n):
            params = {k: rng.random() for k in X6}
            trials.append(
                optuna.trial.create_trial(
                    params=params, distributions=dists, value=hartmann6([params[k] for k in X6])
                )
            )
        for sampler in args.samplers.split(","):
            study = optuna.create_study(sampler=make_sampler(sampler, 0))
            study.add_trials(trials)
            times = []
            reps = args.reps if n <= 2000 else max(3, args.reps // 3)
            for _ in range(reps):
                t0 = time.perf_counter()
                trial = study.ask(fixed_distributions=dists)
                times.append(time.perf_counter() - t0)
                # A failed trial is invisible to TPE, so every ask() sees the same n completed trials.
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            times.sort()
            out.append(
                {
                    "sampler": sampler,
                    "n": n,
                    "reps": reps,
                    "median_ms": 1000 * times[len(times) // 2],
                    "p90_ms": 1000 * times[min(len(times) - 1, int(math.ceil(0.9 * len(times))) - 1)],
                }
            )
            print(f"speed {sampler} n={n}: {out[-1]['median_ms']:.2f} ms", file=sys.stderr)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["quality", "speed", "version"])
    p.add_argument("--problems", default=",".join(OBJECTIVES))
    p.add_argument("--samplers", default="random,tpe,tpe_mv,cmaes")
    p.add_argument("--seeds", default="0,1,2,3,4,5,6,7,8,9")
    p.add_argument("--trials", type=int, default=200)
    p.add_argument("--checkpoints", default="50,100,200")
    p.add_argument("--sizes", default="100,500,1000,2000,5000")
    p.add_argument("--reps", type=int, default=15)
    args = p.parse_args()
    result = {"optuna": optuna.__version__, "python": sys.version.split()[0]}
    if args.mode == "quality":
        result["runs"] = quality(args)
    elif args.mode == "speed":
        result["speed"] = speed(args)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
