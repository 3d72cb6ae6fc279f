// What a proposer is told besides the history: the operator's notes (and reject notes) and, after a
// switch, why it is the active one (ctx.escalation), taken from the state.
import { describe, expect, it } from 'vitest';
import { proposeBatch, type ProposeDeps } from '../../src/engine/propose.js';
import type { EventBody } from '../../src/events.js';
import type { CampaignConfig } from '../../src/config/types.js';
import type { ProposerContext, Proposer } from '../../src/types.js';
import { build, fp } from '../components/fixture.js';

const START: EventBody = { type: 'campaign.started', name: 'd', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'tpe', proposers: ['tpe', 'llm-params'], config_file: 'x', config_hash: 'h', frozen: {}, budget: {}, parallel: 1 };

async function contextFor(bodies: EventBody[]): Promise<ProposerContext> {
  const s = build(bodies);
  let seen: ProposerContext | undefined;
  const capture: Proposer = { name: s.proposer, propose: async (ctx) => ((seen = ctx), { proposals: [] }) };
  const deps: ProposeDeps = {
    config: { space: { x: { type: 'float', low: 0, high: 1 } }, metric: { name: 'loss', goal: 'minimize' }, seed: 0 } as unknown as CampaignConfig,
    state: () => s,
    proposers: new Map([[s.proposer, capture]]),
    history: { snapshot: () => [{ id: 1, status: 'discard', params: { x: 0.5 }, score: 1, lastValue: null, lastStep: null, reason: '', summary: '', proposer: 'tpe' }] } as unknown as ProposeDeps['history'],
    emit: () => undefined,
    stopped: () => false,
    closed: () => false,
    kick: () => undefined,
    retryMs: 1000,
  };
  await proposeBatch(deps, 1, new AbortController());
  return seen!;
}

describe('the proposer context', () => {
  it('carries the notes, oldest first, and no escalation while nothing switched', async () => {
    const ctx = await contextFor([START, { type: 'operator.note', text: 'never touch the optimizer' }, { type: 'operator.note', text: 'lr ≤ 3e-3' }]);
    expect(ctx.notes).toEqual(['never touch the optimizer', 'lr ≤ 3e-3']);
    expect(ctx.escalation).toBeUndefined();
  });

  it('says why the active proposer took over, and from whom', async () => {
    const ctx = await contextFor([
      START,
      { type: 'trial.proposed', id: 1, proposer: 'tpe', proposal: { kind: 'params', params: { x: 0.5 } } },
      { type: 'trial.started', id: 1, slot: 0, host: 'vm:0', pid: 1, dir: '/x', fingerprint: fp },
      { type: 'proposer.escalated', from: 'tpe', to: 'llm-params', side: 'code', reason: '15 trials without improvement' },
    ]);
    expect(ctx.escalation).toEqual({ from: 'tpe', reason: 'escalated: 15 trials without improvement' });
  });
});
