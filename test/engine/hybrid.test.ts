// The hybrid switch through the real engine on the in-memory runner: two scripted proposers named
// as the hybrid's sides (their proposals are params-kind points, tagged by proposer name: code trials
// need the prepare stage), whose trials score, discard or crash as their point says.
import { describe, expect, it } from 'vitest';
import { campaignDir, engineFor, events, waitFor } from '../helpers.js';
import { MemoryRunner } from '../fakes/memory-runner.js';
import { hybridSwitch } from '../../src/engine/hybrid.js';
import { formatEvent } from '../../src/headless.js';
import { allTrials, replay } from '../../src/state.js';
import type { NightshiftEvent } from '../../src/events.js';
import type { ProposeResult, Proposer, ProposerContext, ProposerSide } from '../../src/types.js';

/** Proposes the next x of its script (the last one repeats); x ≥ 0.99 crashes, else loss = x. */
class Scripted implements Proposer {
  calls = 0;
  constructor(
    readonly name: string,
    readonly side: ProposerSide,
    private readonly xs: number[],
  ) {}
  async propose(_ctx: ProposerContext, k: number): Promise<ProposeResult> {
    const out: ProposeResult['proposals'] = [];
    for (let i = 0; i < k; i++) out.push({ kind: 'params', params: { x: this.xs[Math.min(this.calls++, this.xs.length - 1)] } });
    return { proposals: out };
  }
}

const campaign = (trials: number, rules: string) => `name: hyb
command: train {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
mutable: [train.py]
proposer: { type: hybrid, params: random, code: llm-code, ${rules} }
llm: { model: m }
queue_ahead: 0
budget: { trials: ${trials} }
`;

function runner() {
  return new MemoryRunner(1, (l) => {
    const x = Number(l.params.x);
    return x >= 0.99 ? { lines: ['Traceback: boom'], exit: { code: 1, signal: null } } : { lines: [`loss=${x}`], exit: { code: 0, signal: null } };
  });
}

const switches = (evs: NightshiftEvent[]) =>
  evs.filter((e) => e.type === 'proposer.escalated' || e.type === 'proposer.fell_back' || e.type === 'proposer.ask');

/** Each switch is what the rules give on the state replayed up to the decision before it (so resume keeps them). */
function expectDerivedFromJournal(evs: NightshiftEvent[], rules: Parameters<typeof hybridSwitch>[0]): void {
  for (let i = 0; i < evs.length; i++) {
    const e = evs[i];
    if (e.type !== 'proposer.escalated' && e.type !== 'proposer.fell_back' && e.type !== 'proposer.ask') continue;
    const decided = evs[i - 1];
    expect(decided.type).toBe('trial.decided');
    if (decided.type !== 'trial.decided') return;
    const { v: _v, seq: _s, t: _t, prev: _p, ...body } = e;
    expect(hybridSwitch(rules, replay(evs.slice(0, i)), decided.id)).toEqual(body);
  }
}

describe('hybrid switch', () => {
  it('escalates after a stall, falls back after crashes, asks when both sides stall, and returns to params after a kept code trial', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign(15, 'stall: 3, fallback_after: 3, ask_after: 2') });
    const params = new Scripted('random', 'params', [0.5]);
    const code = new Scripted('llm-code', 'code', [0.99, 0.99, 0.99, 0.6, 0.6, 0.1]);
    const { engine, store, out } = await engineFor(dir, { runner: runner(), proposers: new Map<string, Proposer>([['random', params], ['llm-code', code]]) });
    const done = engine.start();
    // Both sides stall: dispatch pauses with the reason in the state.
    await waitFor(() => store.getState().ask, 10_000, 'the ask');
    const asked = store.getState();
    expect(asked.paused).toBe(true);
    expect(asked.ask).toMatch(/both sides have stalled.*2 code trials in a row failed or did not improve/);
    const ask = events(out).find((e) => e.type === 'proposer.ask')!;
    expect(formatEvent(ask, asked)).toMatch(/paused, asking the operator: both sides have stalled/);
    engine.resumeDispatch('keep trying code');
    expect((await done).kind).toBe('finished');

    const evs = events(out);
    const s = store.getState();
    expect(switches(evs).map((e) => [e.type, 'from' in e ? e.from : '', 'to' in e ? e.to : ''])).toEqual([
      ['proposer.escalated', 'random', 'llm-code'],
      ['proposer.fell_back', 'llm-code', 'random'],
      ['proposer.escalated', 'random', 'llm-code'],
      ['proposer.ask', '', ''],
      ['proposer.escalated', 'llm-code', 'random'],
    ]);
    const [esc, fell, , , back] = switches(evs);
    expect(esc).toMatchObject({ side: 'code', reason: '3 decided trials of random without improvement (stall: 3)' });
    expect(fell).toMatchObject({ reason: '3 code trials in a row were invalid or crashed (fallback_after: 3)' });
    expect(formatEvent(fell, s)).toMatch(/proposer fell back llm-code → random: 3 code trials/);
    const kept = allTrials(s).find((t) => t.proposer === 'llm-code' && t.status === 'keep')!;
    expect(back).toMatchObject({ side: 'params', reason: `code trial #${kept.id} kept: tuning the new code` });
    expect(allTrials(s).map((t) => `${t.proposer === 'random' ? 'P' : 'C'}:${t.status}`)).toEqual([
      'P:keep', 'P:discard', 'P:discard', 'P:discard',
      'C:crash', 'C:crash', 'C:crash',
      'P:discard', 'P:discard', 'P:discard',
      'C:discard', 'C:discard', 'C:keep',
      'P:discard', 'P:discard',
    ]);
    expect(s.proposer).toBe('random');
    expect(s.active_reason).toMatch(/tuning the new code/);
    expectDerivedFromJournal(evs, { params: 'random', code: 'llm-code', stall: 3, fallback_after: 3, ask_after: 2 });
  });

  it('after a fallback, crashing code again asks instead of falling back a second time', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign(20, 'stall: 2, fallback_after: 2, ask_after: 5') });
    const params = new Scripted('random', 'params', [0.5]);
    const code = new Scripted('llm-code', 'code', [0.99]);
    const { engine, store, out } = await engineFor(dir, { runner: runner(), proposers: new Map<string, Proposer>([['random', params], ['llm-code', code]]) });
    const done = engine.start();
    await waitFor(() => store.getState().ask, 10_000, 'the ask');
    expect(store.getState().ask).toMatch(/since the last fallback 2 code trials in a row were invalid or crashed/);
    expect(switches(events(out)).map((e) => e.type)).toEqual(['proposer.escalated', 'proposer.fell_back', 'proposer.escalated', 'proposer.ask']);
    // Dispatch stays paused: nothing more starts while the operator is asked.
    const started = store.getState().counted;
    await new Promise((r) => setTimeout(r, 200));
    expect(store.getState().counted).toBe(started);
    await engine.interrupt();
    await done;
  });

  it('falls back to params when the code side cannot reach its model fallback_after times in a row, instead of ending the campaign', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign(8, 'stall: 2, fallback_after: 2, ask_after: 5') });
    const params = new Scripted('random', 'params', [0.5]);
    const unreachable: Proposer = {
      name: 'llm-code',
      side: 'code',
      propose: async () => {
        throw new Error('could not reach model m at http://127.0.0.1:1/v1 after 5 attempts');
      },
    };
    const { engine, store, out } = await engineFor(dir, { runner: runner(), proposers: new Map<string, Proposer>([['random', params], ['llm-code', unreachable]]), proposerRetryMs: 10 });
    const outcome = await engine.start();
    expect(outcome).toMatchObject({ kind: 'finished', reason: expect.stringMatching(/trial budget/) });
    const evs = events(out);
    const fell = evs.find((e) => e.type === 'proposer.fell_back');
    expect(fell).toMatchObject({ from: 'llm-code', to: 'random', reason: expect.stringMatching(/^the model failed 2 times in a row \(last: could not reach model m/) });
    // The failures came just before it, and parameter search went on to spend the trial budget.
    expect(evs[evs.indexOf(fell!) - 1].type).toBe('proposer.failed');
    expect(store.getState().counted).toBe(8);
  });

  it('leaves the choice alone when the operator picked a proposer outside the hybrid', () => {
    const s = replay([]);
    expect(hybridSwitch({ params: 'tpe', code: 'llm-code', stall: 1, fallback_after: 1, ask_after: 1 }, { ...s, proposer: 'grid' }, 1)).toBeNull();
  });
});
