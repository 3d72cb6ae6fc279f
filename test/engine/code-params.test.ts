import { describe, expect, it } from 'vitest';
import { withIncumbentParams } from '../../src/engine/code-params.js';
import { initialState } from '../../src/state.js';
import { replay } from '../../src/state.js';
import type { Proposal, Space } from '../../src/types.js';

const SPACE: Space = {
  lr: { type: 'float', low: 0.001, high: 0.1, log: true },
  steps: { type: 'int', low: 100, high: 600, step: 50 },
  act: { type: 'categorical', choices: ['relu', 'tanh'] },
};
const CODE: Proposal = { kind: 'code', hypothesis: 'h', diff: 'd' };

describe('the params a code trial runs with', () => {
  it('are the middle of the space before anything has scored (a command with {placeholders} still renders)', () => {
    const p = withIncumbentParams(CODE, initialState(), SPACE);
    expect(p.kind === 'code' && p.params).toEqual({ lr: expect.closeTo(0.01, 10), steps: 350, act: 'relu' });
  });

  it("are the incumbent's once one exists, so the edit is compared like for like", () => {
    const T = 1_000;
    const s = replay([
      { v: 3, seq: 1, t: T, type: 'campaign.started', name: 'c', goal: 'minimize', metric: 'loss', seed: 1, proposer: 'tpe', proposers: ['tpe'], config_file: 'f', config_hash: 'h', frozen: {}, budget: {}, parallel: 1 },
      { v: 3, seq: 2, t: T, type: 'trial.proposed', id: 1, proposer: 'tpe', proposal: { kind: 'params', params: { lr: 0.02, steps: 200, act: 'tanh' } } },
      { v: 3, seq: 3, t: T, type: 'trial.decided', id: 1, status: 'keep', reason: 'first', score: 0.5, best: true },
    ] as never);
    expect(s.incumbent).toBe(1);
    const p = withIncumbentParams(CODE, s, SPACE);
    expect(p.kind === 'code' && p.params).toEqual({ lr: 0.02, steps: 200, act: 'tanh' });
  });

  it('leave params alone when the proposal has them, or the campaign has no space', () => {
    expect(withIncumbentParams({ ...CODE, params: { lr: 1 } }, initialState(), SPACE)).toEqual({ ...CODE, params: { lr: 1 } });
    expect(withIncumbentParams(CODE, initialState(), {})).toBe(CODE);
  });
});
