// The engine's incremental structures answer exactly what the full recomputation per decision did:
// the proposers' history, the cohort count, the completed curves (and their index by step), and
// the median pruner's verdict from a running curve's facts fed only new points.
import { describe, expect, it } from 'vitest';
import type { EventBody, NightshiftEvent } from '../../src/events.js';
import { allTrials, fold, getTrial, initialState, trialView, type CampaignState } from '../../src/state.js';
import { Series } from '../../src/series.js';
import { Rng } from '../../proposers/numeric/rng.js';
import { Cohorts, CompletedCurves, CurveTracker, TrialHistory } from '../../src/engine/incremental.js';
import { judgeMedian, medianPrune, type PrunerSettings } from '../../src/engine/pruner.js';

/** A random campaign: proposals, starts, metric batches (repeated steps, NaN), decisions, drops, losses. */
function* randomCampaign(seed: number, steps: number): Generator<NightshiftEvent> {
  const rng = new Rng(seed);
  let seq = 0;
  const ev = (body: EventBody): NightshiftEvent => ({ v: 1, seq: ++seq, t: seq, ...body }) as NightshiftEvent;
  yield ev({ type: 'campaign.started', name: 'r', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'random', proposers: ['random'], config_file: 'c', config_hash: 'h', frozen: {}, budget: {}, parallel: 4 });
  let next = 1;
  const queued: number[] = [];
  const running = new Map<number, number>(); // id → next step
  for (let i = 0; i < steps; i++) {
    const r = rng.next();
    if (r < 0.2 || queued.length + running.size === 0) {
      const id = next++;
      queued.push(id);
      yield ev({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { x: rng.next() } } });
    } else if (r < 0.27 && queued.length) {
      const id = queued.splice(Math.floor(rng.next() * queued.length), 1)[0];
      yield ev({ type: 'operator.drop', id });
    } else if (r < 0.45 && queued.length && running.size < 4) {
      const id = queued.shift()!;
      running.set(id, 0);
      const key = rng.next() < 0.8 ? 'aaaa' : 'bbbb';
      yield ev({ type: 'trial.started', id, slot: 0, host: 'h', pid: id, dir: '/tmp', fingerprint: { key, host: 'h', hardware: key, budget: '' } });
    } else if (r < 0.8 && running.size) {
      const ids = [...running.keys()];
      const id = ids[Math.floor(rng.next() * ids.length)];
      const pts: Array<[number, number]> = [];
      let step = running.get(id)!;
      for (let k = Math.floor(rng.next() * 4); k >= 0; k--) {
        if (rng.next() < 0.15 && step > 0) step -= 1 + Math.floor(rng.next() * Math.min(step, 3)); // a repeated step
        const v = rng.next() < 0.05 ? NaN : Math.round(rng.next() * 20) / 4;
        pts.push([step, v]);
        step += 1 + Math.floor(rng.next() * 2);
      }
      running.set(id, Math.max(step, running.get(id)!));
      yield ev({ type: 'trial.metric', id, points: { loss: pts, other: [[0, 1]] } });
    } else if (running.size) {
      const id = [...running.keys()][0];
      running.delete(id);
      const roll = rng.next();
      const status = roll < 0.4 ? 'discard' : roll < 0.6 ? 'keep' : roll < 0.8 ? 'crash' : roll < 0.9 ? 'pruned' : 'lost';
      const score = status === 'keep' || status === 'discard' ? rng.next() : null;
      yield ev({ type: 'trial.finished', id, exit_code: 0, signal: null, duration_ms: 1, metrics: {}, score });
      yield ev({ type: 'trial.decided', id, status, reason: status, score, best: status === 'keep' });
      if (status === 'lost') {
        const nid = next++;
        queued.unshift(nid);
        yield ev({ type: 'trial.proposed', id: nid, proposer: 'random', proposal: { kind: 'params', params: { x: 0.5 } }, requeue_of: id });
      }
    }
  }
}

const fullHistory = (s: CampaignState) => allTrials(s).filter((t) => t.status !== 'dropped').map(trialView);
const fullCohorts = (s: CampaignState) => new Set(allTrials(s).map((x) => x.fingerprint?.key).filter(Boolean)).size;
const fullCompleted = (s: CampaignState) =>
  allTrials(s)
    .filter((t) => (t.status === 'keep' || t.status === 'discard') && t.curve.length > 0)
    .map((t) => t.curve.byStepMap());

describe('incremental structures against the full recomputation', () => {
  it('history, cohorts and completed curves agree after every event, also when built mid-campaign', () => {
    for (const seed of [1, 2, 3]) {
      let s = initialState();
      const history = new TrialHistory(s);
      const cohorts = new Cohorts(s);
      const completed = new CompletedCurves(s);
      let late: { history: TrialHistory; cohorts: Cohorts; completed: CompletedCurves } | null = null;
      let i = 0;
      for (const e of randomCampaign(seed, 1000)) {
        s = fold(s, e);
        for (const x of late ? [{ history, cohorts, completed }, late] : [{ history, cohorts, completed }]) {
          x.history.onEvent(e);
          x.cohorts.onEvent(e);
          x.completed.onEvent(e, s);
        }
        // Built from a replayed state (resume), then kept up to date.
        if (++i === 400) late = { history: new TrialHistory(s), cohorts: new Cohorts(s), completed: new CompletedCurves(s) };
        // Snapshots are taken at random moments, as the proposer asks.
        if (i % 13 === 0 || i % 17 === 0) {
          for (const x of late ? [{ history, cohorts, completed }, late] : [{ history, cohorts, completed }]) {
            expect(x.history.snapshot(s)).toEqual(fullHistory(s));
            expect(x.cohorts.size).toBe(fullCohorts(s));
            const want = fullCompleted(s);
            expect(x.completed.count).toBe(want.length);
            // Same curves (the order may differ: decision order, not id order; the median ignores it).
            const key = (m: ReadonlyMap<number, number>) => JSON.stringify([...m]);
            expect(x.completed.curves().map(key).sort()).toEqual(want.map(key).sort());
            for (let step = 0; step < 30; step++) {
              const vs = want.map((m) => m.get(step)).filter((v): v is number => v !== undefined);
              const peers = x.completed.peersAt(step);
              expect(peers.n).toBe(vs.length);
              expect(peers.sorted).toEqual(vs.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b));
            }
          }
        }
      }
      expect(allTrials(s).some((t) => t.status === 'dropped')).toBe(true);
      expect(fullCompleted(s).length).toBeGreaterThan(20);
    }
  });

  it('the median verdict from a tracker fed new points equals medianPrune on the whole curve, at every flush', () => {
    const rng = new Rng(99);
    let judged = 0;
    let pruned = 0;
    for (let c = 0; c < 300; c++) {
      const goal = rng.next() < 0.5 ? 'minimize' : 'maximize';
      const settings: PrunerSettings = {
        warmup_steps: Math.floor(rng.next() * 4),
        min_trials: 1 + Math.floor(rng.next() * 4),
        interval_steps: 1 + Math.floor(rng.next() * 3),
        startup_trials: rng.next() < 0.3 ? Math.floor(rng.next() * 6) : undefined,
      };
      const completedMaps: Array<Map<number, number>> = [];
      const completed = new CompletedCurves(initialState());
      for (let k = Math.floor(rng.next() * 9); k > 0; k--) {
        const pts: Array<[number, number]> = [];
        for (let step = 0; step < 25; step++) if (rng.next() < 0.8) pts.push([step, rng.next() < 0.05 ? NaN : Math.round(rng.next() * 40) / 8]);
        const series = Series.from(pts);
        completedMaps.push(new Map(series.byStepMap()));
        // Through the public path: a decided trial's curve.
        addCompleted(completed, series);
      }
      const tracker = new CurveTracker(goal);
      let curve = Series.EMPTY;
      let step = 0;
      for (let flush = 0; flush < 12; flush++) {
        const batch: Array<[number, number]> = [];
        for (let k = 1 + Math.floor(rng.next() * 3); k > 0; k--) {
          if (rng.next() < 0.15 && step > 0) step -= 1; // re-reports a step
          batch.push([step, rng.next() < 0.05 ? NaN : rng.next() < 0.03 ? -Infinity : Math.round(rng.next() * 40) / 8]);
          step += 1 + Math.floor(rng.next() * 2);
        }
        curve = curve.append(batch);
        const got = judgeMedian(tracker.update(curve), completed.count, completed.peersAt, goal, settings, 'loss');
        const want = medianPrune(curve.byStepMap(), completedMaps, goal, settings, 'loss');
        expect(got).toEqual(want);
        if (want.threshold !== null) judged++;
        if (want.prune) pruned++;
      }
    }
    expect(judged).toBeGreaterThan(300);
    expect(pruned).toBeGreaterThan(50);
  });
});

/** Feeds a curve to CompletedCurves the way the engine does: a kept trial's trial.decided event. */
function addCompleted(completed: CompletedCurves, curve: Series): void {
  let s = initialState();
  const events: EventBody[] = [
    { type: 'trial.proposed', id: 1, proposer: 'p', proposal: { kind: 'params', params: {} } },
    { type: 'trial.started', id: 1, slot: 0, host: 'h', pid: 1, dir: '/tmp', fingerprint: { key: 'k', host: 'h', hardware: 'k', budget: '' } },
    { type: 'trial.metric', id: 1, points: { loss: curve.toArray().map(([a, b]) => [a, b] as [number, number]) } },
    { type: 'trial.decided', id: 1, status: 'keep', reason: '', score: 1, best: true },
  ];
  s = fold(s, { v: 1, seq: 0, t: 0, type: 'campaign.started', name: 'r', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'p', proposers: ['p'], config_file: 'c', config_hash: 'h', frozen: {}, budget: {}, parallel: 1 } as NightshiftEvent);
  events.forEach((b, i) => {
    const e = { v: 1, seq: i + 1, t: i + 1, ...b } as NightshiftEvent;
    s = fold(s, e);
    completed.onEvent(e, s);
  });
  expect(getTrial(s, 1)!.curve.length).toBe(curve.length);
}
