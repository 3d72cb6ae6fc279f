// An engine on the in-memory runner with a params proposer (random) and a code proposer
// (scripted-code): its single slot is held by a trial that runs until told, so proposals stay
// queued while a test reviews them. Code trials wait for approval under review manual (the rule
// the prepare stage applies).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, events, waitFor } from '../helpers.js';
import { MemoryRunner } from './memory-runner.js';
import { ScriptedCodeProposer, TEST_PROPOSERS } from './code-proposer.js';
import { RandomProposer } from '../../proposers/random.js';
import { Engine } from '../../src/engine/engine.js';
import { loadCampaign } from '../../src/config/load.js';
import { Journal } from '../../src/journal.js';
import { Store } from '../../src/store.js';
import type { Proposer } from '../../src/types.js';

const CAMPAIGN = (proposers: string) => `name: review
command: train {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
proposer: [${proposers}]
parallel: 1
queue_ahead: 3
budget: { trials: 50 }
`;

export interface CodeCampaignOptions {
  /** The campaign file's proposer list; default: the `first` side first, then the other. */
  proposers?: string;
  first?: 'code' | 'params';
  /** Lines each code proposal changes (a long diff scrolls). */
  lines?: number;
}

export async function codeCampaign(opts: CodeCampaignOptions = {}) {
  const names = opts.proposers ?? (opts.first === 'code' ? 'scripted-code, random' : 'random, scripted-code');
  const dir = campaignDir({ 'campaign.yaml': CAMPAIGN(names) });
  const config = loadCampaign(path.join(dir, 'campaign.yaml'), { proposers: TEST_PROPOSERS });
  const out = path.join(dir, 'out');
  fs.mkdirSync(out, { recursive: true });
  const store = new Store();
  const all: Record<string, Proposer> = { random: new RandomProposer(), 'scripted-code': new ScriptedCodeProposer('scripted-code', opts.lines) };
  const proposers = new Map(config.proposers.map((p) => [p.type, all[p.type]]));
  const runner = new MemoryRunner(1, () => ({ lines: ['loss=1'] }));
  const s = () => store.getState();
  const ready = (t: { proposal: { kind: string }; approved?: boolean }) => t.proposal.kind !== 'code' || s().review === 'auto' || t.approved === true;
  const engine = new Engine({ config, outDir: out, journal: Journal.create(path.join(out, 'journal.jsonl')), store, runner, proposers, ready });
  void engine.start();
  await waitFor(() => s().queue.length === 3 && s().running.length === 1, 5000, 'one running and three queued');
  const journal = () => events(out).filter((e) => e.type.startsWith('operator.'));
  return { engine, store, s, out, journal, runner };
}
