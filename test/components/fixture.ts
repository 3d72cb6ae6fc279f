// A synthetic campaign state for component and App tests (no engine, no processes), and controls
// that do nothing, for rendering the App on it.
import { fold, initialState, type CampaignState } from '../../src/state.js';
import type { EventBody, NightshiftEvent } from '../../src/events.js';
import type { Controls } from '../../components/App.js';

export const T0 = 1_700_000_000_000;

export function build(bodies: EventBody[]): CampaignState {
  let s = initialState();
  bodies.forEach((b, i) => (s = fold(s, { v: 1, seq: i + 1, t: T0 + i * 1000, ...b } as NightshiftEvent)));
  return s;
}

export const fp = { key: 'k', host: 'vm', hardware: 'hw', budget: '{}' };
export const DIFF = `diff --git a/train.py b/train.py
--- a/train.py
+++ b/train.py
@@ -1,3 +1,3 @@
 import math
-lr = 0.1
+lr = 0.03
 print(lr)
`;

/** 6 finished trials (keep, discard, crash, pruned, timeout), 2 running, 2 queued (one a code diff). */
export function campaignEvents(opts: { proposers?: string[] } = {}): EventBody[] {
  const proposers = opts.proposers ?? ['random'];
  const b: EventBody[] = [
    { type: 'campaign.started', name: 'demo', goal: 'minimize', metric: 'loss', seed: 0, proposer: proposers[0], proposers, config_file: 'x', config_hash: 'h', frozen: {}, budget: { trials: 20, wall_ms: 3_600_000, patience: 5 }, parallel: 2 },
  ];
  const outcomes: Array<[string, number | null, string]> = [
    ['keep', 0.5, 'baseline: first scored trial'],
    ['discard', 0.7, 'loss 0.7 is not better than 0.5 (#1)'],
    ['crash', null, 'exit code 1: ValueError: shapes do not match'],
    ['keep', 0.3, 'improved loss 0.5 → 0.3 (was #1)'],
    ['pruned', null, 'median pruner: loss 2 at step 5 is worse than the median 1'],
    ['timeout', null, 'exceeded trial_timeout 300s'],
  ];
  outcomes.forEach(([status, score, reason], i) => {
    const id = i + 1;
    b.push({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { lr: 0.001 * id, width: 16 * id } } });
    b.push({ type: 'trial.started', id, slot: 0, host: 'vm:0', pid: 1, dir: '/x', fingerprint: fp });
    b.push({ type: 'trial.metric', id, points: { loss: [[1, 1], [2, score ?? 2]] } });
    b.push({ type: 'trial.finished', id, exit_code: 0, signal: null, duration_ms: 1500, metrics: score === null ? {} : { loss: score }, score });
    b.push({ type: 'trial.decided', id, status: status as 'keep', reason, score, best: status === 'keep' });
  });
  for (const id of [7, 8]) {
    b.push({ type: 'trial.proposed', id, proposer: 'random', proposal: { kind: 'params', params: { lr: 0.01, width: 32 } } });
    b.push({ type: 'trial.started', id, slot: id - 7, host: `vm:${id - 7}`, pid: 1, dir: '/x', fingerprint: fp });
    b.push({ type: 'trial.metric', id, points: { loss: [[3, 0.4]] } });
  }
  b.push({ type: 'trial.proposed', id: 9, proposer: 'llm-code', proposal: { kind: 'code', hypothesis: 'a smaller learning rate converges better', diff: DIFF } });
  b.push({ type: 'trial.proposed', id: 10, proposer: 'random', proposal: { kind: 'params', params: { lr: 0.02, width: 64 } } });
  return b;
}

export function campaign(opts: { proposers?: string[] } = {}): CampaignState {
  return build(campaignEvents(opts));
}

/** Controls that change nothing; `tail` gives the lines the test wants the detail view to show. */
export function idleControls(opts: { proposers?: string[]; tail?: (id: number) => string[]; sides?: Record<string, 'params' | 'code'> } = {}): Controls {
  const idle = { ok: false, message: 'not in this test' };
  return {
    pause: () => idle,
    resumeDispatch: () => idle,
    stopTrial: () => idle,
    promote: () => idle,
    reorder: () => idle,
    drop: () => idle,
    switchProposer: () => idle,
    approve: () => idle,
    reject: () => idle,
    editDiff: () => idle,
    addNote: () => idle,
    setReview: () => idle,
    switchSide: () => idle,
    availableProposers: () => opts.proposers ?? ['random'],
    proposerSide: (name) => opts.sides?.[name] ?? 'params',
    tail: (id) => opts.tail?.(id) ?? [],
    completed: () => [],
  };
}
