// A proposer that keeps failing ends the campaign with a reason instead of spinning forever.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, QUADRATIC_PY } from '../helpers.js';
import { loadCampaign } from '../../src/config/load.js';
import { Engine } from '../../src/engine/engine.js';
import { Journal } from '../../src/journal.js';
import { Store } from '../../src/store.js';
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
    const dir = campaignDir({
      'campaign.yaml': `name: broken
command: python3 quad.py {x} {y}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
  y: { type: float, low: -1, high: 1 }
budget: { trials: 5 }
`,
      'quad.py': QUADRATIC_PY,
    });
    const config = loadCampaign(path.join(dir, 'campaign.yaml'));
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const store = new Store();
    const broken = new BrokenProposer();
    const engine = new Engine({
      config,
      outDir: out,
      journal: Journal.create(path.join(out, 'journal.jsonl')),
      store,
      runner: new LocalRunner(1),
      proposers: new Map([['random', broken]]),
      proposerRetryMs: 50,
    });
    const outcome = await engine.start();
    expect(outcome.kind).toBe('finished');
    expect((outcome as { reason: string }).reason).toMatch(/failed 5 times in a row \(last: the model endpoint returned 503\)/);
    expect(broken.calls).toBe(5);
    expect(store.getState().warnings.filter((w) => w.includes('503'))).toHaveLength(5);
  });
});
