import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { medianCurve, medianPrune, nanMedian, type PrunerSettings } from '../../src/engine/pruner.js';

type Goal = 'minimize' | 'maximize';
const m = (entries: Array<[number, number]>) => new Map<number, number>(entries);
const curve = (...values: number[]) => m(values.map((v, i) => [i, v]));

// ---------------------------------------------------------------------------------------------
// An independent reference, written from Optuna's documented behaviour with plain arrays and loops.
// ---------------------------------------------------------------------------------------------

interface RefCase {
  current: Array<[number, number]>;
  completed: Array<Array<[number, number]>>;
  goal: Goal;
  warmup: number;
  minTrials: number;
  interval: number;
  /** undefined → min_trials */
  startup?: number;
}

/** Sort, drop NaN, take the middle one or the mean of the middle two. */
function refMedian(values: number[]): number {
  const xs = values.filter((v) => v === v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (xs.length === 0) return NaN;
  const half = xs.length >> 1;
  if (xs.length % 2 === 1) return xs[half];
  return (xs[half - 1] + xs[half]) / 2;
}

function refPrune(c: RefCase): { prune: boolean; threshold: number | null; step: number | null } {
  const startup = c.startup === undefined ? c.minTrials : c.startup;
  if (c.completed.length === 0) return { prune: false, threshold: null, step: stepOf(c.current) };
  if (c.completed.length < startup) return { prune: false, threshold: null, step: stepOf(c.current) };
  const step = stepOf(c.current);
  if (step === null) return { prune: false, threshold: null, step: null };
  if (step < c.warmup) return { prune: false, threshold: null, step };
  // The pruning step at or below `step`: warmup, warmup + interval, ...
  let pruningStep = c.warmup;
  while (pruningStep + c.interval <= step) pruningStep += c.interval;
  // Judge only if no earlier report already fell at or after that pruning step.
  for (const [s] of c.current) {
    if (s !== step && s >= pruningStep) return { prune: false, threshold: null, step };
  }
  const finite = c.current.map(([, v]) => v).filter((v) => !Number.isNaN(v));
  if (finite.length === 0) return { prune: true, threshold: null, step };
  const best = c.goal === 'minimize' ? Math.min(...finite) : Math.max(...finite);
  const atStep: number[] = [];
  for (const peer of c.completed) {
    const hit = peer.find(([s]) => s === step);
    if (hit) atStep.push(hit[1]);
  }
  if (atStep.length < c.minTrials) return { prune: false, threshold: null, step };
  const med = refMedian(atStep);
  if (Number.isNaN(med)) return { prune: false, threshold: null, step };
  return { prune: c.goal === 'minimize' ? best > med : best < med, threshold: med, step };
}

function stepOf(entries: Array<[number, number]>): number | null {
  return entries.length === 0 ? null : Math.max(...entries.map(([s]) => s));
}

/** mulberry32, kept separate from src/rng.ts on purpose. */
function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Random cases. Values lie on a grid of quarters so that ties with the median happen often (they
 * test `>` against `>=`) and every median is exact in binary floating point.
 */
function randomCases(seed: number, n: number): RefCase[] {
  const r = rand(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  // Each trial has a level (how good it is) plus per-step noise, so some trials are clearly worse.
  const series = (maxStep: number, keepP: number, nanP: number): Array<[number, number]> => {
    const level = int(0, 12) / 4;
    const out: Array<[number, number]> = [];
    for (let s = 0; s <= maxStep; s++) if (r() < keepP) out.push([s, r() < nanP ? NaN : level + int(0, 4) / 4]);
    return out;
  };
  const cases: RefCase[] = [];
  for (let i = 0; i < n; i++) {
    const nPeers = r() < 0.1 ? 0 : int(1, 9);
    const completed = Array.from({ length: nPeers }, () => series(int(3, 14), 0.5 + 0.5 * r(), r() < 0.3 ? 0.15 : 0));
    const allNaN = r() < 0.05;
    const current = r() < 0.05 ? [] : series(int(0, 12), 0.4 + 0.6 * r(), allNaN ? 1 : r() < 0.3 ? 0.2 : 0);
    // Shuffle the current trial's report order sometimes: the rule must not depend on it.
    if (r() < 0.2) current.sort(() => r() - 0.5);
    cases.push({
      current,
      completed,
      goal: r() < 0.5 ? 'minimize' : 'maximize',
      warmup: int(0, 4),
      minTrials: int(1, 3),
      interval: r() < 0.5 ? 1 : int(2, 4),
      startup: r() < 0.5 ? undefined : int(0, 6),
    });
  }
  return cases;
}

function settings(c: RefCase): PrunerSettings {
  return { warmup_steps: c.warmup, min_trials: c.minTrials, interval_steps: c.interval, startup_trials: c.startup };
}

function run(c: RefCase) {
  return medianPrune(m(c.current), c.completed.map(m), c.goal, settings(c), 'loss');
}

// ---------------------------------------------------------------------------------------------

describe('medianPrune: hand-checked cases', () => {
  const s: PrunerSettings = { warmup_steps: 0, min_trials: 1, interval_steps: 1 };
  const peers = [curve(1.0, 0.8, 0.6), curve(1.0, 0.7, 0.5), curve(1.0, 0.9, 0.7)];

  it('no completed trials: no prune', () => {
    const d = medianPrune(curve(9, 9), [], 'minimize', s, 'loss');
    expect(d).toMatchObject({ prune: false, threshold: null, step: 1 });
    expect(d.reason).toMatch(/no completed trials/);
  });

  it('prunes a minimizing trial worse than the median and says why', () => {
    const d = medianPrune(curve(1.0, 0.91), peers, 'minimize', s, 'val_loss');
    expect(d).toEqual({
      prune: true,
      threshold: 0.8,
      step: 1,
      reason: 'val_loss 0.91 at step 1 is worse than the median 0.8 of 3 completed trials',
    });
  });

  it('keeps a trial equal to the median (strictly worse is needed)', () => {
    expect(medianPrune(curve(1.0, 0.8), peers, 'minimize', s).prune).toBe(false);
    expect(medianPrune(curve(1.0, 0.8), peers, 'maximize', s).prune).toBe(false);
  });

  it('uses the best value over all steps, not the last', () => {
    // Last value 0.95 is worse than the median 0.6 at step 2, but the best (0.1 at step 0) is not.
    expect(medianPrune(curve(0.1, 0.9, 0.95), peers, 'minimize', s).prune).toBe(false);
  });

  it('maximize: prunes below the median', () => {
    const acc = [curve(0.5, 0.6), curve(0.5, 0.7), curve(0.5, 0.8), curve(0.5, 0.9)];
    const d = medianPrune(curve(0.1, 0.7), acc, 'maximize', s, 'acc');
    expect(d.threshold).toBeCloseTo(0.75, 12);
    expect(d.prune).toBe(true);
    expect(medianPrune(curve(0.1, 0.8), acc, 'maximize', s).prune).toBe(false);
  });

  it('even number of peers: linear interpolation between the middle two', () => {
    const d = medianPrune(curve(5), [curve(1), curve(2), curve(4), curve(10)], 'minimize', s);
    expect(d.threshold).toBe(3);
  });

  it('startup: fewer completed trials than startup_trials (default min_trials) → no prune', () => {
    const d = medianPrune(curve(9), [curve(1), curve(1)], 'minimize', { ...s, min_trials: 3 });
    expect(d.prune).toBe(false);
    expect(d.reason).toMatch(/2 completed trials so far; pruning starts after 3/);
    expect(medianPrune(curve(9), [curve(1), curve(1)], 'minimize', { ...s, min_trials: 1, startup_trials: 3 }).prune).toBe(false);
    expect(medianPrune(curve(9), [curve(1), curve(1)], 'minimize', { ...s, min_trials: 1, startup_trials: 2 }).prune).toBe(true);
  });

  it('warmup: steps below warmup_steps are never judged', () => {
    const bad = curve(9, 9, 9);
    expect(medianPrune(bad, peers, 'minimize', { ...s, warmup_steps: 3 }).prune).toBe(false);
    expect(medianPrune(bad, peers, 'minimize', { ...s, warmup_steps: 3 }).reason).toMatch(/warmup/);
    expect(medianPrune(bad, peers, 'minimize', { ...s, warmup_steps: 2 }).prune).toBe(true);
  });

  it('interval: only the first report at or after each pruning step is judged', () => {
    const many = Array.from({ length: 3 }, () => m(Array.from({ length: 30 }, (_, i) => [i, 0])));
    const st = { warmup_steps: 0, min_trials: 1, interval_steps: 10 };
    const reports: Array<[number, number]> = [];
    const judged: number[] = [];
    for (const step of [0, 3, 6, 9, 12, 15, 21, 29]) {
      reports.push([step, 1]);
      const d = medianPrune(m(reports), many, 'minimize', st);
      if (!/not a pruning step/.test(d.reason)) judged.push(step);
    }
    expect(judged).toEqual([0, 12, 21]);
  });

  it('never blind: too few peers at the exact step → no prune', () => {
    // Peers stop at step 2; the current trial is at step 5.
    const d = medianPrune(curve(9, 9, 9, 9, 9, 9), peers, 'minimize', s, 'loss');
    expect(d).toMatchObject({ prune: false, threshold: null, step: 5 });
    expect(d.reason).toMatch(/0 completed trials reported loss at step 5; 1 needed/);
    const two = { ...s, min_trials: 2, startup_trials: 0 };
    expect(medianPrune(curve(9, 9), [curve(1, 1), curve(1)], 'minimize', two).prune).toBe(false);
    expect(medianPrune(curve(9, 9), [curve(1, 1), curve(1, 1)], 'minimize', two).prune).toBe(true);
  });

  it('NaN: an all-NaN trial is pruned; NaN peers are left out of the median but count toward min_trials', () => {
    expect(medianPrune(curve(NaN, NaN), peers, 'minimize', s)).toMatchObject({ prune: true, threshold: null, step: 1 });
    expect(medianPrune(curve(NaN, 0.5), peers, 'minimize', s).prune).toBe(false);
    const nanPeers = [curve(1, NaN), curve(1, 0.2), curve(1, NaN)];
    const d = medianPrune(curve(1, 0.3), nanPeers, 'minimize', { ...s, min_trials: 3 });
    expect(d).toMatchObject({ prune: true, threshold: 0.2 });
    expect(medianPrune(curve(1, 0.3), [curve(1, NaN)], 'minimize', s)).toMatchObject({ prune: false, threshold: null });
  });

  it('no reports yet → no prune, step null', () => {
    expect(medianPrune(new Map(), peers, 'minimize', s)).toMatchObject({ prune: false, step: null });
  });

  it('infinities: a finite median is kept finite (numpy would give NaN here)', () => {
    const d = medianPrune(curve(3), [curve(1), curve(2), curve(Infinity)], 'minimize', s);
    expect(d).toMatchObject({ prune: true, threshold: 2 });
    expect(nanMedian([-Infinity, Infinity])).toBeNaN();
    expect(nanMedian([1, Infinity])).toBe(Infinity);
  });
});

describe('medianPrune against the reference implementation', () => {
  it('agrees on 5000 random cases (missing steps, NaN, both goals, warmup, interval, min_trials, empty peers)', () => {
    const cases = randomCases(20240601, 5000);
    let pruned = 0;
    let judged = 0;
    for (const c of cases) {
      const got = run(c);
      const want = refPrune(c);
      expect({ prune: got.prune, threshold: got.threshold, step: got.step }, JSON.stringify(c)).toEqual(want);
      expect(got.reason.length).toBeGreaterThan(0);
      if (got.prune) pruned++;
      if (got.threshold !== null) judged++;
    }
    console.log(`reference sweep: ${cases.length} cases, ${judged} compared with a median, ${pruned} pruned`);
    // The sweep must exercise both outcomes a fair amount, or it tests little.
    expect(pruned).toBeGreaterThan(500);
    expect(judged).toBeGreaterThan(1000);
    expect(cases.length - pruned).toBeGreaterThan(1000);
  });
});

describe('medianCurve', () => {
  it('gives the median at every step, ignoring NaN and missing steps', () => {
    const got = medianCurve([m([[0, 1], [1, 4], [2, NaN]]), m([[0, 3], [1, 2]]), m([[0, 5], [3, 7]])]);
    expect(got).toEqual([
      { step: 0, median: 3, n: 3 },
      { step: 1, median: 3, n: 2 },
      { step: 3, median: 7, n: 1 },
    ]);
  });

  it('matches nanMedian per step on random data and thins to maxPoints keeping both ends', () => {
    const cases = randomCases(7, 50);
    for (const c of cases) {
      const peers = c.completed.map(m);
      const full = medianCurve(peers);
      for (const p of full) {
        const at = c.completed.flatMap((t) => t.filter(([s]) => s === p.step).map(([, v]) => v));
        expect(p.median).toBe(refMedian(at));
      }
      const thin = medianCurve(peers, 4);
      expect(thin.length).toBe(Math.min(4, full.length));
      if (full.length > 0) {
        expect(thin[0]).toEqual(full[0]);
        expect(thin[thin.length - 1]).toEqual(full[full.length - 1]);
      }
    }
    expect(medianCurve([])).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Cross-check against real Optuna when the system Python has it.
// ---------------------------------------------------------------------------------------------

const PY = '/usr/bin/python3';
const hasOptuna = spawnSync(PY, ['-c', 'import optuna'], { stdio: 'ignore' }).status === 0;

const OPTUNA_SCRIPT = String.raw`
import json, math, sys, warnings
import optuna
optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.simplefilter("ignore")
from optuna.trial import TrialState, create_trial
from optuna.distributions import FloatDistribution

cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    pruner = optuna.pruners.MedianPruner(
        n_startup_trials=c["startup"], n_warmup_steps=c["warmup"],
        interval_steps=c["interval"], n_min_trials=c["minTrials"])
    study = optuna.create_study(direction=c["goal"], pruner=pruner)
    for peer in c["completed"]:
        study.add_trial(create_trial(
            state=TrialState.COMPLETE, value=0.0, params={}, distributions={},
            intermediate_values={int(s): (float("nan") if v is None else float(v)) for s, v in peer}))
    trial = study.ask()
    for s, v in c["current"]:
        trial.report(float("nan") if v is None else float(v), int(s))
    out.append(bool(trial.should_prune()))
print(json.dumps(out))
`;

describe.skipIf(!hasOptuna)('medianPrune against real Optuna (/usr/bin/python3 with optuna)', () => {
  it('agrees with optuna.pruners.MedianPruner on 400 random cases', () => {
    // Optuna warns and ignores a second report at the same step, and NaN in JSON is null.
    const cases = randomCases(99, 400);
    const dir = mkdtempSync(join(tmpdir(), 'ns-optuna-'));
    try {
      const file = join(dir, 'cases.json');
      const asJson = cases.map((c) => ({
        ...c,
        startup: c.startup ?? c.minTrials,
        current: c.current.map(([s, v]) => [s, Number.isNaN(v) ? null : v]),
        completed: c.completed.map((t) => t.map(([s, v]) => [s, Number.isNaN(v) ? null : v])),
      }));
      writeFileSync(file, JSON.stringify(asJson));
      const res = spawnSync(PY, ['-c', OPTUNA_SCRIPT, file], { encoding: 'utf8', timeout: 120_000 });
      expect(res.status, res.stderr).toBe(0);
      const optunaSays = JSON.parse(res.stdout.trim().split('\n').pop()!) as boolean[];
      expect(optunaSays.length).toBe(cases.length);
      let pruned = 0;
      cases.forEach((c, i) => {
        expect(run(c).prune, JSON.stringify(c)).toBe(optunaSays[i]);
        if (optunaSays[i]) pruned++;
      });
      expect(pruned).toBeGreaterThan(40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (!hasOptuna) {
  describe('medianPrune against real Optuna', () => {
    it.skip('skipped: /usr/bin/python3 cannot import optuna (apt-get install -y python3-optuna to enable)', () => {});
  });
}
