// A proposer that keeps failing ends the campaign with a reason instead of spinning forever.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { campaignDir, engineFor, quadraticCampaign, QUADRATIC_PY, waitFor } from '../helpers.js';
import { Engine } from '../../src/engine/engine.js';
import { Journal, readJournal } from '../../src/journal.js';
import { loadCampaign } from '../../src/config/load.js';
import { PROPOSERS } from '../../proposers/index.js';
import { Store } from '../../src/store.js';
import { replay } from '../../src/state.js';
import { LocalRunner } from '../../runners/local.js';
import type { ProposeResult, Proposer, ProposerContext } from '../../src/types.js';

class BrokenProposer implements Proposer {
  readonly name = 'random';
  calls = 0;
  async propose(_ctx: ProposerContext, _k: number): Promise<ProposeResult> {
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

  it('are counted from the journal, so a resumed supervisor goes on from the same count', async () => {
    const dir = campaignDir({ 'campaign.yaml': quadraticCampaign('broken', 'budget: { trials: 5 }\n'), 'quad.py': QUADRATIC_PY });
    const first = new BrokenProposer();
    const a = await engineFor(dir, { runner: new LocalRunner(1), proposers: new Map([['random', first]]), proposerRetryMs: 50 });
    const run = a.engine.start();
    await waitFor(() => a.store.getState().warnings.length >= 3, 20_000, 'three proposer failures');
    await a.engine.detach();
    await run;
    const failedBefore = first.calls;

    const jp = path.join(a.out, 'journal.jsonl');
    const read = readJournal(jp);
    const store = new Store(replay(read.events));
    expect(store.getState().proposer_failures).toBe(failedBefore);
    const second = new BrokenProposer();
    const engine = new Engine({
      config: loadCampaign(path.join(dir, 'campaign.yaml'), { proposers: PROPOSERS }),
      outDir: a.out,
      journal: Journal.reopen(jp, read),
      store,
      runner: new LocalRunner(1),
      proposers: new Map([['random', second]]),
      proposerRetryMs: 50,
    });
    const outcome = await engine.resume(false);
    expect((outcome as { reason: string }).reason).toMatch(/failed 5 times in a row/);
    expect(second.calls).toBe(5 - failedBefore);
  });
});
