// Which past trials TPE learns from and how it splits them, as Optuna 4.x does
// (optuna/samplers/_tpe/sampler.py: _get_observations, _split_trials): finished trials ranked by
// score (pruned ones after them by depth and last value), queued and running ones always "bad"
// (constant liar). Rows are in internal coordinates (space-model.ts).
import type { Goal, TrialView } from '../src/types.js';
import type { RowCache, SpaceModel } from './numeric/space-model.js';

const COMPLETE = 0;
const PRUNED = 1;
const RUNNING = 2;

/** The trials TPE learns from, in history order, with their values in internal coordinates. */
export interface Observations {
  rows: Float64Array[];
  state: Uint8Array;
  /** Sort keys: complete → signed score; pruned → (−step, signed value). */
  key1: Float64Array;
  key2: Float64Array;
  count: number;
  /** Complete + pruned (Optuna's n; running trials do not count). */
  finished: number;
}

function signOf(goal: Goal): number {
  return goal === 'maximize' ? -1 : 1;
}

/**
 * How each trial status counts, following Optuna: keep/discard are COMPLETE, pruned is PRUNED
 * (ranked after every complete trial, deeper steps first, then by its last value), queued/running are
 * RUNNING (constant liar); crash, timeout, invalid and killed are FAIL and ignored, like lost and dropped.
 */
function classify(t: TrialView): number {
  switch (t.status) {
    case 'keep':
    case 'discard':
      return t.score !== null && !Number.isNaN(t.score) ? COMPLETE : -1;
    case 'pruned':
      return PRUNED;
    case 'queued':
    case 'running':
      return RUNNING;
    default:
      return -1;
  }
}


export function collectObservations(model: SpaceModel, history: readonly TrialView[], goal: Goal, includeRunning: boolean, rows: RowCache, extra = 0): Observations {
  const n = history.length;
  const obs: Observations = {
    rows: [],
    state: new Uint8Array(n + extra),
    key1: new Float64Array(n + extra),
    key2: new Float64Array(n + extra),
    count: 0,
    finished: 0,
  };
  const sign = signOf(goal);
  for (let i = 0; i < n; i++) {
    const t = history[i];
    const s = classify(t);
    if (s < 0 || (s === RUNNING && !includeRunning)) continue;
    const c = obs.count++;
    obs.rows.push(rows.row(model, t.params));
    obs.state[c] = s;
    if (s === COMPLETE) {
      obs.key1[c] = sign * (t.score as number);
      obs.finished++;
    } else if (s === PRUNED) {
      obs.finished++;
      if (t.lastValue === null || t.lastValue === undefined) {
        obs.key1[c] = 1;
        obs.key2[c] = 0;
      } else {
        obs.key1[c] = -(t.lastStep ?? 0);
        obs.key2[c] = Number.isNaN(t.lastValue) ? Infinity : sign * t.lastValue;
      }
    }
  }
  return obs;
}

export function pushPending(obs: Observations, row: Float64Array): void {
  const c = obs.count++;
  obs.rows.push(row);
  obs.state[c] = RUNNING;
}

/**
 * Optuna's _split_trials: the best `nBelow` complete trials (ties by age), then pruned trials by
 * (−step, value) if the complete ones are too few; the rest and every running trial are above.
 * Both lists come back in history order (older trials get lower weights).
 */
export function splitObservations(obs: Observations, nBelow: number): { below: Int32Array; above: Int32Array } {
  const n = obs.count;
  const isBelow = new Uint8Array(n);
  // The nBelow best complete trials, ties going to the older one (a stable sort): kept in a small
  // sorted buffer, since nBelow ≤ gamma_cap is tiny next to n.
  const bufV = new Float64Array(Math.max(1, nBelow));
  const bufC = new Int32Array(Math.max(1, nBelow));
  let size = 0;
  let nPruned = 0;
  for (let c = 0; c < n; c++) {
    const st = obs.state[c];
    if (st === PRUNED) nPruned++;
    if (st !== COMPLETE || nBelow === 0) continue;
    const v = obs.key1[c];
    if (size === nBelow && !(v < bufV[size - 1])) continue;
    let p = size < nBelow ? size++ : size - 1;
    while (p > 0 && v < bufV[p - 1]) {
      bufV[p] = bufV[p - 1];
      bufC[p] = bufC[p - 1];
      p--;
    }
    bufV[p] = v;
    bufC[p] = c;
  }
  for (let i = 0; i < size; i++) isBelow[bufC[i]] = 1;
  const need = Math.max(0, nBelow - size);
  if (need > 0 && nPruned > 0) {
    const pruned: number[] = [];
    for (let c = 0; c < n; c++) if (obs.state[c] === PRUNED) pruned.push(c);
    pruned.sort((a, b) => obs.key1[a] - obs.key1[b] || obs.key2[a] - obs.key2[b] || a - b);
    for (let i = 0; i < Math.min(need, pruned.length); i++) isBelow[pruned[i]] = 1;
  }
  let nb = 0;
  for (let c = 0; c < n; c++) nb += isBelow[c];
  const below = new Int32Array(nb);
  const above = new Int32Array(n - nb);
  let ib = 0;
  let ia = 0;
  for (let c = 0; c < n; c++) {
    if (isBelow[c]) below[ib++] = c;
    else above[ia++] = c;
  }
  return { below, above };
}
