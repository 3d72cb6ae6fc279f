// What the engine derives from the whole campaign, kept up to date per event instead of rebuilt
// per decision (at 10k trials a rebuild per decision made dispatch quadratic): the proposal history,
// the set of fingerprint cohorts, the completed learning curves indexed by step for the median
// pruner, and per running trial the facts of its curve the pruner needs. Each answers exactly what
// the full recomputation did (test/engine/incremental.test.ts checks them against it).
import type { NightshiftEvent } from '../events.js';
import { allTrials, getTrial, trialView, type CampaignState, type TrialState } from '../state.js';
import type { Series } from '../series.js';
import type { Goal, TrialView } from '../types.js';
import type { CurveFacts, StepPeers } from './pruner.js';

/** The proposers' history: every trial but the dropped ones, in id order, as TrialViews. */
export class TrialHistory {
  private views: TrialView[] = [];
  /** id → index in views. */
  private readonly at = new Map<number, number>();
  /** Trials changed since the last snapshot; their views are refreshed lazily. */
  private readonly dirty = new Set<number>();
  private snap: readonly TrialView[] | null = null;

  constructor(s: CampaignState) {
    for (const t of allTrials(s)) if (t.status !== 'dropped') this.put(t);
  }

  /** O(1): remembers which trial changed. */
  onEvent(e: NightshiftEvent): void {
    if ('id' in e && typeof e.id === 'number') {
      this.dirty.add(e.id);
      this.snap = null;
    }
  }

  /** The history as the proposers see it; O(trials changed since the last call) plus a copy of pointers. */
  snapshot(s: CampaignState): readonly TrialView[] {
    if (this.snap && this.dirty.size === 0) return this.snap;
    let dropped = false;
    for (const id of [...this.dirty].sort((a, b) => a - b)) {
      const t = getTrial(s, id);
      if (!t) continue;
      if (t.status === 'dropped') dropped = this.at.has(id) || dropped;
      else this.put(t);
    }
    this.dirty.clear();
    if (dropped) {
      // Rare (an operator action): rebuild the index without the dropped trials.
      this.views = this.views.filter((v) => getTrial(s, v.id)?.status !== 'dropped');
      this.at.clear();
      this.views.forEach((v, i) => this.at.set(v.id, i));
    }
    // A copy: a slow proposer must not see the history change under it.
    this.snap = this.views.slice();
    return this.snap;
  }

  private put(t: TrialState): void {
    const i = this.at.get(t.id);
    if (i !== undefined) {
      this.views[i] = trialView(t);
      return;
    }
    // New ids are always the largest so far, so pushing keeps id order; sort in the rare other case.
    const last = this.views[this.views.length - 1];
    this.views.push(trialView(t));
    if (last && last.id > t.id) {
      this.views.sort((a, b) => a.id - b.id);
      this.at.clear();
      this.views.forEach((v, j) => this.at.set(v.id, j));
    } else this.at.set(t.id, this.views.length - 1);
  }
}

/** Distinct fingerprint cohorts of the trials that started (for "on fingerprint …" in reasons). */
export class Cohorts {
  private readonly keys = new Set<string>();

  constructor(s: CampaignState) {
    for (const t of allTrials(s)) if (t.fingerprint?.key) this.keys.add(t.fingerprint.key);
  }

  onEvent(e: NightshiftEvent): void {
    if (e.type === 'trial.started' && e.fingerprint?.key) this.keys.add(e.fingerprint.key);
  }

  get size(): number {
    return this.keys.size;
  }
}

const NO_PEERS: StepPeers = { n: 0, sorted: [] };

/** Learning curves of completed (kept or discarded) trials, and their values indexed by step. */
export class CompletedCurves {
  private readonly list: Array<ReadonlyMap<number, number>> = [];
  private snap: Array<ReadonlyMap<number, number>> | null = null;
  private readonly byStep = new Map<number, { n: number; sorted: number[] }>();

  constructor(s: CampaignState) {
    for (const t of allTrials(s)) if (isCompleted(t)) this.add(t.curve);
  }

  onEvent(e: NightshiftEvent, s: CampaignState): void {
    if (e.type !== 'trial.decided') return;
    const t = getTrial(s, e.id);
    if (t && isCompleted(t)) this.add(t.curve);
  }

  get count(): number {
    return this.list.length;
  }

  /** The completed trials' reports at `step`: O(1). */
  peersAt = (step: number): StepPeers => this.byStep.get(step) ?? NO_PEERS;

  /** The curves (for the TUI's median curve): a new array whenever one was added, so memos see the change. */
  curves(): Array<ReadonlyMap<number, number>> {
    return (this.snap ??= this.list.slice());
  }

  private add(curve: Series): void {
    const m = curve.byStepMap();
    this.list.push(m);
    this.snap = null;
    for (const [step, v] of m) {
      let e = this.byStep.get(step);
      if (!e) this.byStep.set(step, (e = { n: 0, sorted: [] }));
      e.n++;
      if (!Number.isNaN(v)) e.sorted.splice(upperBound(e.sorted, v), 0, v);
    }
  }
}

function isCompleted(t: TrialState): boolean {
  return (t.status === 'keep' || t.status === 'discard') && t.curve.length > 0;
}

function upperBound(xs: number[], v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A running trial's curve facts, fed only the points added since the last call. */
export class CurveTracker {
  private consumed = 0;
  private readonly values = new Map<number, number>();
  private step: number | null = null;
  private previous = -1;
  private best = NaN;
  private bestStale = false;

  constructor(private readonly goal: Goal) {}

  /** `curve` is the trial's (append-only) curve from the state; O(points added since the last call). */
  update(curve: Series): CurveFacts {
    for (let i = this.consumed; i < curve.length; i++) this.add(curve.step(i), curve.value(i));
    this.consumed = curve.length;
    if (this.bestStale) {
      // A repeated step replaced the best value: rescan (only when a trial re-reports a step).
      this.best = NaN;
      for (const v of this.values.values()) this.consider(v);
      this.bestStale = false;
    }
    return { step: this.step, previous: this.previous, best: this.best };
  }

  private add(step: number, v: number): void {
    const old = this.values.get(step);
    this.values.set(step, v);
    if (old !== undefined && old === this.best) this.bestStale = true;
    if (!this.bestStale) this.consider(v);
    if (this.step === null) this.step = step;
    else if (step > this.step) {
      this.previous = Math.max(this.previous, this.step);
      this.step = step;
    } else if (step < this.step) this.previous = Math.max(this.previous, step);
  }

  private consider(v: number): void {
    if (Number.isNaN(v)) return;
    if (Number.isNaN(this.best) || (this.goal === 'maximize' ? v > this.best : v < this.best)) this.best = v;
  }
}
