// The median pruning rule, with Optuna's MedianPruner semantics (optuna/pruners/_percentile.py,
// PercentilePruner with percentile 50):
//
//   - no completed trial, or fewer than `startup_trials` (default: min_trials) → do not prune;
//   - step = the running trial's last (largest) step; step < warmup_steps → do not prune;
//   - only the first report at or after each pruning step (warmup, warmup + interval, ...) is
//     judged, as Optuna's `_is_first_in_interval_step`: with interval 10 and warmup 0, a trial
//     reporting steps 0, 3, 6, 9, 12 is judged at 0 and 12;
//   - best = the running trial's best value over all its steps, ignoring NaN (nanmin / nanmax);
//     all NaN → prune;
//   - the peers are the completed trials that reported a value AT that exact step; fewer than
//     min_trials of them → do not prune (never judge blind). As in Optuna, a peer reporting NaN
//     there counts toward min_trials but is left out of the median;
//   - threshold = their median (numpy nanpercentile 50, linear interpolation); all NaN → do not
//     prune; minimize: prune if best > threshold, maximize: prune if best < threshold.
//
// One deliberate difference: numpy's interpolation turns an infinite neighbour into NaN even when
// the median is a finite sample (np.percentile([1, 2, inf], 50) is nan, which disables pruning);
// here the median of [1, 2, inf] is 2. Finite inputs give numpy's result bit for bit.
//
// Pure functions, no I/O: the engine passes in what the journal holds.

import type { Goal } from '../types.js';

export interface PrunerSettings {
  /** Pruning is off while the running trial's last step is below this (steps start at 0 or 1). */
  warmup_steps: number;
  /** Peers needed at the judged step (Optuna's n_min_trials); also the default for startup_trials. */
  min_trials: number;
  /** Judge once per this many steps after the warmup (Optuna's interval_steps, at least 1). */
  interval_steps: number;
  /** Completed trials needed before any pruning (Optuna's n_startup_trials). Default: min_trials. */
  startup_trials?: number;
}

export interface PruneDecision {
  prune: boolean;
  /** The median the trial was compared with; null when no comparison was made. */
  threshold: number | null;
  /** The step judged (the running trial's last step); null when it reported nothing. */
  step: number | null;
  /** One human sentence, for the journal and the TUI. */
  reason: string;
}

export interface MedianPoint {
  step: number;
  median: number;
  /** Completed trials with a non-NaN value at this step. */
  n: number;
}

type StepValues = ReadonlyMap<number, number>;

/** Compact number for messages: 4 significant digits, no trailing zeros. */
function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Median of the non-NaN values (numpy nanpercentile(values, 50), method "linear", except that an
 * infinite neighbour gives the interpolated infinity or the finite sample, not NaN); NaN when
 * there are none.
 */
export function nanMedian(values: readonly number[]): number {
  const xs: number[] = [];
  for (const v of values) if (!Number.isNaN(v)) xs.push(v);
  return medianOfNonNaN(xs);
}

function medianOfNonNaN(xs: number[]): number {
  xs.sort((a, b) => a - b);
  return medianOfSorted(xs);
}

/** The median of non-NaN values already in ascending order (the pruner's incremental index keeps them so). */
export function medianOfSorted(xs: readonly number[]): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const index = (n - 1) * 0.5;
  const lo = Math.floor(index);
  const hi = Math.min(lo + 1, n - 1);
  const t = index - lo;
  const a = xs[lo];
  if (t === 0) return a;
  const b = xs[hi];
  const diff = b - a;
  // An infinite neighbour: plain interpolation (numpy's form below would turn inf*0 into NaN).
  if (!Number.isFinite(diff)) return a + diff * t;
  // numpy's _lerp: the upper half is computed from b for symmetry.
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

function lastStep(s: StepValues): number | null {
  let last: number | null = null;
  for (const k of s.keys()) if (last === null || k > last) last = k;
  return last;
}

/**
 * Optuna's _is_first_in_interval_step: is `step` the first report at or after a pruning step?
 * `secondLast`: the largest other step reported, or -1.
 */
function isFirstInIntervalStep(step: number, secondLast: number, warmup: number, interval: number): boolean {
  const nearestLowerPruningStep = Math.floor((step - warmup) / interval) * interval + warmup;
  return secondLast < nearestLowerPruningStep;
}

/** What the rule needs of the running trial's curve (CurveTracker keeps these up to date per point). */
export interface CurveFacts {
  /** The largest step reported; null before any report. */
  step: number | null;
  /** The largest other step reported, or -1 (Optuna's _is_first_in_interval_step starts from -1). */
  previous: number;
  /** Best value over the steps (the last report of a repeated step counts), NaN ignored; NaN when none. */
  best: number;
}

/** The completed trials' reports at one step: how many, and the non-NaN values in ascending order. */
export interface StepPeers {
  n: number;
  sorted: readonly number[];
}

export function curveFacts(current: StepValues, goal: Goal): CurveFacts {
  const step = lastStep(current);
  let previous = -1;
  for (const s of current.keys()) if (s > previous && s !== step) previous = s;
  let best = NaN;
  for (const v of current.values()) {
    if (Number.isNaN(v)) continue;
    if (Number.isNaN(best) || (goal === 'maximize' ? v > best : v < best)) best = v;
  }
  return { step, previous, best };
}

/**
 * Should the running trial stop? `current`: its values of the primary metric by step.
 * `completed`: for each completed (scored) trial, its values of the primary metric by step.
 * `metric` only names the metric in the reason.
 */
export function medianPrune(
  current: StepValues,
  completed: ReadonlyArray<StepValues>,
  goal: Goal,
  s: PrunerSettings,
  metric = 'the metric',
): PruneDecision {
  const peersAt = (step: number): StepPeers => {
    const sorted: number[] = [];
    let n = 0;
    for (const t of completed) {
      const v = t.get(step);
      if (v === undefined) continue;
      n++;
      if (!Number.isNaN(v)) sorted.push(v);
    }
    sorted.sort((a, b) => a - b);
    return { n, sorted };
  };
  return judgeMedian(curveFacts(current, goal), completed.length, peersAt, goal, s, metric);
}

/** The median rule on summaries: O(peers at the judged step), whatever the curves' lengths. */
export function judgeMedian(
  facts: CurveFacts,
  nCompleted: number,
  peersAt: (step: number) => StepPeers,
  goal: Goal,
  s: PrunerSettings,
  metric = 'the metric',
): PruneDecision {
  const warmup = Math.max(0, s.warmup_steps || 0);
  const minTrials = Math.max(1, Math.floor(s.min_trials || 1));
  const interval = Math.max(1, Math.floor(s.interval_steps || 1));
  const startup = Math.max(0, Math.floor(s.startup_trials ?? minTrials));

  const { step, best } = facts;
  const no = (reason: string, threshold: number | null = null): PruneDecision => ({ prune: false, threshold, step, reason });

  if (nCompleted === 0) return no('no completed trials to compare with yet');
  if (nCompleted < startup) {
    return no(`${plural(nCompleted, 'completed trial')} so far; pruning starts after ${startup}`);
  }
  if (step === null) return no(`no ${metric} reported yet`);
  if (step < warmup) return no(`step ${step} is within the warmup of ${plural(warmup, 'step')}`);
  if (!isFirstInIntervalStep(step, facts.previous, warmup, interval)) {
    return no(`step ${step} is not a pruning step (every ${plural(interval, 'step')} after ${warmup})`);
  }

  if (Number.isNaN(best)) {
    return { prune: true, threshold: null, step, reason: `${metric} is NaN at every step up to ${step}` };
  }

  const { n: nAtStep, sorted: peers } = peersAt(step);
  if (nAtStep < minTrials) {
    return no(`${plural(nAtStep, 'completed trial')} reported ${metric} at step ${step}; ${minTrials} needed to judge`);
  }
  const threshold = medianOfSorted(peers);
  if (Number.isNaN(threshold)) {
    return no(`the completed trials' ${metric} at step ${step} has no median (NaN)`);
  }

  const worse = goal === 'maximize' ? best < threshold : best > threshold;
  const cmp = `${metric} ${fmt(best)} at step ${step} is ${worse ? 'worse' : 'not worse'} than the median ${fmt(threshold)} of ${plural(nAtStep, 'completed trial')}`;
  return { prune: worse, threshold, step, reason: cmp };
}

/**
 * The median of the completed trials at every step any of them reported (NaN values ignored;
 * steps where all are NaN are left out), in step order. With maxPoints, at most that many points,
 * evenly spaced over the steps, always keeping the first and the last.
 */
export function medianCurve(completed: ReadonlyArray<StepValues>, maxPoints = Infinity): MedianPoint[] {
  const byStep = new Map<number, number[]>();
  for (const t of completed) {
    for (const [step, v] of t) {
      if (Number.isNaN(v)) continue;
      let xs = byStep.get(step);
      if (xs === undefined) byStep.set(step, (xs = []));
      xs.push(v);
    }
  }
  const steps = [...byStep.keys()].sort((a, b) => a - b);
  let picked = steps;
  const limit = Math.floor(maxPoints);
  if (limit >= 1 && steps.length > limit) {
    picked = [];
    if (limit === 1) picked.push(steps[steps.length - 1]);
    else for (let i = 0; i < limit; i++) picked.push(steps[Math.round((i * (steps.length - 1)) / (limit - 1))]);
  }
  return picked.map((step) => {
    const xs = byStep.get(step)!;
    return { step, median: medianOfNonNaN(xs), n: xs.length };
  });
}
