// The comparability guard: trials on different hardware or budget knobs are never ranked together.
import { describe, expect, it } from 'vitest';
import { campaignDir, engineFor, quadraticCampaign, QUADRATIC_PY } from '../helpers.js';
import { decideTrial } from '../../src/engine/decide.js';
import { allTrials, fold, initialState, type CampaignState } from '../../src/state.js';
import type { EventBody, NightshiftEvent } from '../../src/events.js';
import { LocalRunner } from '../../runners/local.js';
import { RandomProposer } from '../../proposers/random.js';
import { cohorts, reportText } from '../../src/report.js';

function build(bodies: EventBody[]): CampaignState {
  let s = initialState();
  bodies.forEach((b, i) => (s = fold(s, { v: 1, seq: i + 1, t: 1000 + i, ...b } as NightshiftEvent)));
  return s;
}

const fp = (key: string) => ({ key, host: 'h-' + key, hardware: 'hw-' + key, budget: '{}' });

describe('comparability guard', () => {
  const base: EventBody[] = [
    { type: 'campaign.started', name: 'c', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'random', proposers: ['random'], config_file: 'x', config_hash: 'h', frozen: {}, budget: {}, parallel: 2 },
    { type: 'trial.proposed', id: 1, proposer: 'random', proposal: { kind: 'params', params: { x: 1 } } },
    { type: 'trial.started', id: 1, slot: 0, host: 'a', pid: 1, dir: '/tmp/1', fingerprint: fp('A') },
    { type: 'trial.decided', id: 1, status: 'keep', reason: 'baseline', score: 0.5, best: true },
  ];

  it('does not let a better score from another cohort displace the best, nor compare against it', () => {
    const s = build(base);
    // On cohort B, 0.9 is the first score: a baseline for B, though it is worse than A's 0.5.
    const v = decideTrial(s, { mode: 'single' }, 'loss', 'minimize', { loss: 0.9 }, 'B', 2);
    expect(v).toMatchObject({ status: 'keep', best: true });
    expect(v.reason).toContain('fingerprint B');
    // On cohort A, 0.9 loses to 0.5.
    expect(decideTrial(s, { mode: 'single' }, 'loss', 'minimize', { loss: 0.9 }, 'A', 2)).toMatchObject({ status: 'discard', best: false });

    const s2 = build([
      ...base,
      { type: 'trial.proposed', id: 2, proposer: 'random', proposal: { kind: 'params', params: { x: 2 } } },
      { type: 'trial.started', id: 2, slot: 1, host: 'b', pid: 2, dir: '/tmp/2', fingerprint: fp('B') },
      { type: 'trial.decided', id: 2, status: 'keep', reason: 'baseline on B', score: 0.1, best: true },
    ]);
    expect(s2.best_by_cohort).toEqual({ A: 1, B: 2 });
    // A later A trial is still judged against A's best (0.5), not B's 0.1.
    expect(decideTrial(s2, { mode: 'single' }, 'loss', 'minimize', { loss: 0.3 }, 'A', 2)).toMatchObject({ status: 'keep', best: true });
    expect(cohorts(s2)).toHaveLength(2);
    expect(reportText(s2)).toContain('ranked separately');
  });

  it('ranks per cohort in a live campaign on two differently-equipped slots', async () => {
    class TwoBoxes extends LocalRunner {
      override hardware(slot: number) {
        return slot === 0 ? '1x V100' : '1x A100';
      }
    }
    const dir = campaignDir({ 'campaign.yaml': quadraticCampaign('two', 'parallel: 2\nbudget: { trials: 10 }\n'), 'quad.py': QUADRATIC_PY });
    const { engine, store } = await engineFor(dir, { runner: new TwoBoxes(2), proposers: new Map([['random', new RandomProposer()]]) });
    await engine.start();
    const s = store.getState();
    const keys = Object.keys(s.best_by_cohort);
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      const mine = allTrials(s).filter((t) => t.fingerprint?.key === key && t.score !== null);
      const bestOfMine = mine.reduce((a, b) => (b.score! < a.score! ? b : a));
      expect(s.best_by_cohort[key]).toBe(bestOfMine.id);
      // Every decision in this cohort compared against this cohort's trials only.
      for (const t of mine) if (t.status === 'discard') expect(t.reason).toMatch(new RegExp(`\\(#(${mine.map((m) => m.id).join('|')})\\)`));
    }
  });
});
