// A proposer that keeps failing ends the campaign with a reason instead of spinning forever.
import { describe, expect, it } from 'vitest';
import { campaignDir, engineFor, quadraticCampaign, QUADRATIC_PY } from '../helpers.js';
import { LocalRunner } from '../../runners/local.js';
import type { Proposal, Proposer, ProposerContext } from '../../src/types.js';

class BrokenProposer implements Proposer {
  readonly name = 'random';
  calls = 0;
  async propose(_ctx: ProposerContext, _k: number): Promise<Proposal[]> {
    this.calls++;
    throw new Error('the model endpoint returned 503');
  }
}

describe('proposer failures', () => {
  it('are journaled, retried after a pause, and end the campaign after five in a row', async () => {
    const dir = campaignDir({ 'campaign.yaml': quadraticCampaign('broken', 'budget: { trials: 5 }\n'), 'quad.py': QUADRATIC_PY });
    const broken = new BrokenProposer();
    const { engine, store } = await engineFor(dir, { runner: new LocalRunner(1), proposers: new Map([['random', broken]]), proposerRetryMs: 50 });
    const outcome = await engine.start();
    expect(outcome.kind).toBe('finished');
    expect((outcome as { reason: string }).reason).toMatch(/failed 5 times in a row \(last: the model endpoint returned 503\)/);
    expect(broken.calls).toBe(5);
    expect(store.getState().warnings.filter((w) => w.includes('503'))).toHaveLength(5);
  });
});
