// The random proposer: a dropped proposal does not come back. Its randomness is keyed by the
// campaign's proposal count (which dropped proposals advance), not by the history's length (which
// they shrink); in a finite space a point already proposed, dropped or not, is not proposed again.
import { describe, expect, it } from 'vitest';
import { RandomProposer } from '../../proposers/random.js';
import { TpeProposer } from '../../proposers/tpe.js';
import { Rng, hashSeed } from '../../proposers/numeric/rng.js';
import { paramsKey, sampleParams } from '../../proposers/numeric/space.js';
import type { Params, ProposerContext, Space, TrialView } from '../../src/types.js';
import { campaignDir, engineFor, quadraticCampaign, QUADRATIC_PY, waitFor } from '../helpers.js';
import { LocalRunner } from '../../runners/local.js';
import { allTrials, getTrial } from '../../src/state.js';

function view(id: number, params: Params): TrialView {
  return { id, status: 'queued', params, score: null, lastValue: null, lastStep: null, reason: '', summary: '', proposer: 'random' };
}

function ctx(space: Space, history: TrialView[], proposed: number, seed = 1): ProposerContext {
  return { space, goal: 'minimize', history, incumbent: null, seed, proposed, signal: new AbortController().signal };
}

const CONTINUOUS: Space = { x: { type: 'float', low: -1, high: 1 }, y: { type: 'float', low: -1, high: 1 } };

describe('random proposer', () => {
  it('does not bring a dropped point back (continuous space)', async () => {
    const p = new RandomProposer();
    const [first] = (await p.propose(ctx(CONTINUOUS, [], 0), 1)).proposals;
    // #1 was queued, then dropped: it leaves the history, but the campaign has made one proposal.
    const [next] = (await p.propose(ctx(CONTINUOUS, [], 1), 1)).proposals;
    expect(next.params).not.toEqual(first.params);
  });

  it('TPE (startup draws) does not bring a dropped point back either', async () => {
    const p = new TpeProposer();
    const [first] = (await p.propose(ctx(CONTINUOUS, [], 0), 1)).proposals;
    const [next] = (await p.propose(ctx(CONTINUOUS, [], 1), 1)).proposals;
    expect(next.params).not.toEqual(first.params);
  });

  it('does not propose a dropped point again in a finite space, even when the draw repeats it', async () => {
    const space: Space = { opt: { type: 'categorical', choices: ['a', 'b', 'c'] } };
    // A seed whose draws for proposals 0 and 1 are the same point.
    let seed = 0;
    const draw = (s: number, i: number) => paramsKey(sampleParams(space, new Rng(hashSeed(s, 'random', i))));
    while (draw(seed, 0) !== draw(seed, 1)) seed++;
    const p = new RandomProposer();
    const [first] = (await p.propose(ctx(space, [], 0, seed), 1)).proposals;
    const history = [view(1, first.params!)];
    await p.propose(ctx(space, history, 1, seed), 0); // it saw #1 while it was queued
    const [next] = (await p.propose(ctx(space, [], 1, seed), 1)).proposals; // #1 dropped
    expect(next.params).not.toEqual(first.params);
  });

  it('keeps a batch distinct and stops when a finite space is used up', async () => {
    const space: Space = { n: { type: 'int', low: 1, high: 4 } };
    const p = new RandomProposer();
    const batch = (await p.propose(ctx(space, [], 0), 10)).proposals;
    expect(batch.map((b) => b.params!.n).sort()).toEqual([1, 2, 3, 4]);
  });
});

describe('dropping a queued proposal', () => {
  it('brings a different point, not the same one under a new id', async () => {
    const dir = campaignDir({ 'campaign.yaml': quadraticCampaign('drop', 'budget: { trials: 10 }\nqueue_ahead: 2\n'), 'quad.py': QUADRATIC_PY });
    const { engine, store } = await engineFor(dir, { runner: new LocalRunner(1), proposers: new Map([['random', new RandomProposer()]]) });
    const run = engine.start();
    engine.pause('the test drops a proposal');
    await waitFor(() => store.getState().queue.length >= 3, 20_000, 'a full queue');
    const dropped = getTrial(store.getState(), store.getState().queue.at(-1)!)!;
    expect(engine.drop(dropped.id).ok).toBe(true);
    await waitFor(() => store.getState().trial_count > 3, 20_000, 'a new proposal');
    const others = allTrials(store.getState()).filter((t) => t.id !== dropped.id);
    for (const t of others) expect(t.params).not.toEqual(dropped.params);
    await engine.interrupt();
    await run;
  });
});
