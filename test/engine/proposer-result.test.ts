// What a propose() call returns besides proposals: its cost (journaled as proposer.usage, summed
// per proposer in the state) and a request to hand over to the other side (proposer.escalated, which
// switches the active proposer when one of that side is configured). Through the real engine.
import { describe, expect, it } from 'vitest';
import { campaignDir, engineFor, events, quadraticCampaign, QUADRATIC_PY } from '../helpers.js';
import { LocalRunner } from '../../runners/local.js';
import { allTrials, replay } from '../../src/state.js';
import type { EventBody, NightshiftEvent } from '../../src/events.js';
import type { ProposeResult, Proposer, ProposerContext, ProposerSide } from '../../src/types.js';

/** A proposer that answers every call with one point and whatever `extra` says for that call. */
class ScriptedProposer implements Proposer {
  calls = 0;
  constructor(
    readonly name: string,
    readonly side: ProposerSide,
    private readonly extra: (call: number) => Omit<ProposeResult, 'proposals'> = () => ({}),
  ) {}
  async propose(_ctx: ProposerContext, _k: number): Promise<ProposeResult> {
    this.calls++;
    return { proposals: [{ kind: 'params', params: { x: this.calls / 10, y: 0 } }], ...this.extra(this.calls) };
  }
}

const USAGE = { model: 'gpt-test', tokens_in: 1200, tokens_out: 300, usd: 0.0125 };

function campaign(proposer: string) {
  return campaignDir({ 'campaign.yaml': quadraticCampaign('switch', `proposer: ${proposer}\nbudget: { trials: 3 }\n`), 'quad.py': QUADRATIC_PY });
}

describe('a propose() result', () => {
  it('journals its usage and a switch request; the engine hands over to the configured proposer of that side', async () => {
    const dir = campaign('[random, tpe]');
    const params = new ScriptedProposer('random', 'params', (call) => (call === 1 ? { usage: USAGE, switchTo: { side: 'code', reason: 'tuning has plateaued' } } : {}));
    const code = new ScriptedProposer('tpe', 'code', () => ({ usage: { ...USAGE, model: 'coder', usd: 0.5 } }));
    const { engine, store, out } = await engineFor(dir, { runner: new LocalRunner(1), proposers: new Map<string, Proposer>([['random', params], ['tpe', code]]) });
    const outcome = await engine.start();
    expect(outcome.kind).toBe('finished');

    const journal = events(out);
    const usage = journal.filter((e) => e.type === 'proposer.usage');
    expect(usage[0]).toMatchObject({ proposer: 'random', ...USAGE });
    expect(usage.filter((e) => e.proposer === 'tpe')).toHaveLength(code.calls);
    const escalated = journal.filter((e) => e.type === 'proposer.escalated');
    expect(escalated).toHaveLength(1);
    expect(escalated[0]).toMatchObject({ from: 'random', to: 'tpe', side: 'code', reason: 'tuning has plateaued' });
    // The asker's proposal stays queued; every later one comes from the proposer that took over.
    const types = journal.map((e) => e.type);
    expect(types.indexOf('proposer.escalated')).toBeGreaterThan(types.indexOf('trial.proposed'));
    expect(params.calls).toBe(1);
    const s = store.getState();
    expect(allTrials(s).map((t) => t.proposer)).toEqual(['random', 'tpe', 'tpe']);
    expect(s.proposer).toBe('tpe');
    expect(s.operator_log.map((o) => o.text)).toContain('proposer escalated random → tpe: tuning has plateaued');
    expect(s.usage.random).toEqual({ calls: 1, ...USAGE });
    expect(s.usage.tpe).toEqual({ calls: code.calls, tokens_in: 1200 * code.calls, tokens_out: 300 * code.calls, usd: 0.5 * code.calls, model: 'coder' });
    // The state folds the same from the journal alone.
    expect(replay(journal).usage).toEqual(s.usage);
  });

  it('records a switch request no configured proposer can take, and keeps the active one', async () => {
    const dir = campaign('random');
    const params = new ScriptedProposer('random', 'params', (call) => (call === 1 ? { switchTo: { side: 'code', reason: 'try an edit' } } : {}));
    const { engine, store, out } = await engineFor(dir, { runner: new LocalRunner(1), proposers: new Map<string, Proposer>([['random', params]]) });
    expect((await engine.start()).kind).toBe('finished');
    const escalated = events(out).filter((e) => e.type === 'proposer.escalated');
    expect(escalated).toHaveLength(1);
    expect(escalated[0]).not.toHaveProperty('to');
    const s = store.getState();
    expect(s.proposer).toBe('random');
    expect(s.counted).toBe(3);
    expect(s.operator_log.map((o) => o.text)).toContain('proposer random asked for a code proposer, but none is configured: try an edit');
    expect(s.usage).toEqual({});
  });
});

describe('the reducer', () => {
  const journal = (bodies: EventBody[]) => bodies.map((b, i) => ({ v: 1, seq: i + 1, t: 1000 + i, ...b }) as NightshiftEvent);
  const START: EventBody = {
    type: 'campaign.started', name: 'c', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'random', proposers: ['random', 'llm'],
    config_file: 'c.yaml', config_hash: 'h', frozen: {}, budget: {}, parallel: 1,
  };

  it.each<[string, EventBody[], Partial<ReturnType<typeof replay>>]>([
    ['usage sums per proposer, the latest model named', [
      { type: 'proposer.usage', proposer: 'llm', model: 'a', tokens_in: 10, tokens_out: 1, usd: 0.25 },
      { type: 'proposer.usage', proposer: 'llm', model: 'b', tokens_in: 5, tokens_out: 2, usd: 0.5 },
    ], { usage: { llm: { calls: 2, tokens_in: 15, tokens_out: 3, usd: 0.75, model: 'b' } } }],
    ['an escalation of an old journal (to, no side) switches', [
      { type: 'proposer.escalated', from: 'random', to: 'llm', reason: 'plateau' },
    ], { proposer: 'llm' }],
    ['an escalation nobody can take switches nothing', [
      { type: 'proposer.escalated', from: 'random', side: 'code', reason: 'plateau' },
    ], { proposer: 'random' }],
  ])('%s', (_name, bodies, expected) => {
    expect(replay(journal([START, ...bodies]))).toMatchObject(expected);
  });
});
