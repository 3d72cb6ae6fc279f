// A model that only ever writes edits nightshift refuses (here: edits of the frozen evaluator) must
// not be asked forever: refused proposals never start, so they spend no trial budget, and without a
// bound the loop would call the model (and pay for it) all night.
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeRepo } from '../workspace/helpers.js';
import { openNew } from '../../src/session.js';
import { allTrials } from '../../src/state.js';
import { completion, startLlmServer, type FakeLlmServer } from '../fakes/llm-server.js';

const CHEAT = 'evaluate.py\n<<<<<<< SEARCH\nprint("score")\n=======\nprint("score=0")\n>>>>>>> REPLACE';

let server: FakeLlmServer;
beforeEach(async () => {
  server = await startLlmServer();
});
afterEach(async () => {
  await server.close();
});

describe('a model whose every edit is refused', () => {
  it('ends the campaign after a run of invalid proposals, with the reason, instead of calling the model forever', async () => {
    server.respond(() => ({ body: completion(`### Proposal 1\nHypothesis: Report a perfect score.\n${CHEAT}`) }));
    const repo = makeRepo({
      'train.py': 'print("step=1 score=1.0")\n',
      'evaluate.py': 'print("score")\n',
      'campaign.yaml': `name: cheat
command: python3 train.py
metric: { name: score, goal: minimize }
mutable: [train.py]
frozen: [evaluate.py]
proposer: { type: llm-code, max_revisions: 0 }
llm: { model: fake-model, base_url: ${server.baseUrl}, api_key_env: NS_TEST_KEY }
budget: { trials: 5 }
`,
    });
    process.env.NS_TEST_KEY = 'k';
    const session = await openNew(path.join(repo, 'campaign.yaml'), {});
    const outcome = await session.begin();
    session.release();
    expect(outcome).toMatchObject({ kind: 'finished', reason: expect.stringMatching(/last 10 proposals of llm-code were all invalid.*evaluate\.py/) });
    const trials = allTrials(session.store.getState());
    expect(trials.every((t) => t.status === 'invalid')).toBe(true);
    expect(trials.length).toBeGreaterThanOrEqual(10);
    expect(server.requests.length).toBeLessThanOrEqual(12);
  }, 60_000);
});
