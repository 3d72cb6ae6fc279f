// The operator's review commands against the engine on the in-memory runner: each journals its
// event, the state follows, and a command that cannot act says why and journals nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { codeDiff } from '../fakes/code-proposer.js';
import { codeCampaign, type CodeCampaignOptions } from '../fakes/code-campaign.js';
import { getTrial } from '../../src/state.js';
import type { Engine } from '../../src/engine/engine.js';

let engine: Engine | null = null;
afterEach(async () => {
  await engine?.interrupt(true);
  engine = null;
});

async function setup(opts: CodeCampaignOptions = {}) {
  const c = await codeCampaign(opts);
  engine = c.engine;
  return c;
}

describe('review commands', () => {
  it('approve: a queued code proposal is marked approved and journaled; twice says so', async () => {
    const { engine, s, journal } = await setup({ first: 'code' });
    engine.setReview('manual');
    const id = s().queue[0];
    expect(engine.approve(id, 'looks right')).toEqual({ ok: true, message: `approved #${id}: it runs when a slot is free` });
    expect(getTrial(s(), id)!.approved).toBe(true);
    expect(engine.approve(id)).toEqual({ ok: false, message: `#${id} is already approved` });
    expect(journal().filter((e) => e.type === 'operator.approve')).toMatchObject([{ id, reason: 'looks right' }]);
  });

  it('approve and reject refuse a running trial, a params proposal and an unknown id', async () => {
    const { engine, s, journal } = await setup();
    const running = s().running[0];
    const params = s().queue[0];
    expect(engine.approve(running).message).toBe(`#${running} is not queued (running)`);
    expect(engine.reject(params, 'no').message).toBe(`#${params} is a params proposal: only code proposals are reviewed`);
    expect(engine.approve(999).message).toBe('no trial #999');
    expect(journal()).toEqual([]);
  });

  it('reject with a note drops the proposal and puts the note in front of the models; an empty note adds none', async () => {
    const { engine, s, journal } = await setup({ first: 'code' });
    const [a, b] = s().queue;
    expect(engine.reject(a, '  never touch\nthe optimizer ').ok).toBe(true);
    expect(getTrial(s(), a)!.status).toBe('dropped');
    expect(s().queue).not.toContain(a);
    expect(s().notes).toEqual([`The operator rejected the proposal "${(getTrial(s(), a)!.proposal as { hypothesis: string }).hypothesis}": never touch the optimizer`]);
    expect(engine.reject(b, '').ok).toBe(true);
    expect(s().notes).toHaveLength(1);
    expect(journal().filter((e) => e.type === 'operator.reject')).toMatchObject([{ id: a, reason: 'never touch the optimizer' }, { id: b }]);
    expect(journal()[1]).not.toHaveProperty('reason');
  });

  it('editDiff: journals the new diff and marks the trial edited; refuses an empty, a mangled or an unchanged diff', async () => {
    const { engine, s, journal } = await setup({ first: 'code' });
    const id = s().queue[0];
    const old = (getTrial(s(), id)!.proposal as { diff: string }).diff;
    expect(engine.editDiff(id, '   \n')).toEqual({ ok: false, message: `#${id} not changed: the diff is empty (to drop the proposal, reject it)` });
    expect(engine.editDiff(id, 'lr = 0.01\n').message).toBe(`#${id} not changed: that is not a unified diff: no "+++ b/<file>" header`);
    expect(engine.editDiff(id, '--- a/x\n+++ b/x\n-a\n+b\n').message).toBe(`#${id} not changed: that is not a unified diff: no "@@ -a,b +c,d @@" hunk header`);
    expect(engine.editDiff(id, old).message).toBe(`#${id}: the diff is unchanged`);
    expect(journal()).toEqual([]);
    const mine = codeDiff(7).trimEnd(); // without the final newline: one is added
    expect(engine.editDiff(id, mine, 'smaller step')).toEqual({ ok: true, message: `#${id} now runs your diff (prepared again before it starts)` });
    const t = getTrial(s(), id)!;
    expect(t.edited).toBe(true);
    expect(t.proposal).toMatchObject({ kind: 'code', diff: `${mine}\n` });
    expect(journal()).toMatchObject([{ type: 'operator.edit', id, diff: `${mine}\n`, reason: 'smaller step' }]);
  });

  it('addNote: trimmed to one line, empty refused, capped in length', async () => {
    const { engine, s, journal } = await setup();
    expect(engine.addNote('   ')).toEqual({ ok: false, message: 'an empty note: nothing added' });
    expect(engine.addNote('x'.repeat(501)).message).toBe('the note has 501 characters; at most 500');
    expect(engine.addNote('  lr ≤ 3e-3\n please ')).toEqual({ ok: true, message: 'note added (1 in every later prompt)' });
    expect(s().notes).toEqual(['lr ≤ 3e-3 please']);
    expect(journal()).toMatchObject([{ type: 'operator.note', text: 'lr ≤ 3e-3 please' }]);
  });

  it('setReview: manual holds code proposals until approved; auto lets them run', async () => {
    const { engine, s, runner, journal } = await setup({ first: 'code' });
    expect(engine.setReview('auto').message).toBe('review is already auto');
    expect(engine.setReview('manual').ok).toBe(true);
    expect(s().review).toBe('manual');
    // The running trial ends: the queued code proposal is not approved, so nothing starts.
    runner.trials.get(s().running[0])!.finish({ code: 0, signal: null });
    await waitFor(() => s().running.length === 0, 5000, 'the slot to free');
    await new Promise((r) => setTimeout(r, 100));
    expect(s().running).toEqual([]);
    const id = s().queue[0];
    engine.approve(id);
    await waitFor(() => getTrial(s(), id)!.status === 'running', 5000, 'the approved trial to start');
    expect(engine.setReview('auto').ok).toBe(true);
    expect(journal().filter((e) => e.type === 'operator.review')).toMatchObject([{ mode: 'manual' }, { mode: 'auto' }]);
  });

  it('switchSide: params → code keeping the queue, then code → params dropping the code proposals', async () => {
    const { engine, s, journal } = await setup();
    const [p1, p2, p3] = s().queue;
    const paramsQueued = [p1, p2];
    expect(engine.switchSide(false, 'operator key S')).toEqual({ ok: true, message: 'next proposals come from scripted-code (code); queued proposals kept' });
    expect(s().proposer).toBe('scripted-code');
    expect(s().active_reason).toBe('switched by the operator — operator key S');
    for (const id of [p1, p2, p3]) expect(getTrial(s(), id)!.status).toBe('queued');
    // A free place in the queue: the next proposal comes from the code side.
    engine.drop(p3);
    await waitFor(() => s().queue.some((id) => getTrial(s(), id)!.proposer === 'scripted-code'), 5000, 'a code proposal');
    const codeQueued = s().queue.filter((id) => getTrial(s(), id)!.proposer === 'scripted-code');
    const r = engine.switchSide(true);
    expect(r.ok).toBe(true);
    expect(r.message).toBe(`next proposals come from random (params); dropped ${codeQueued.length} queued code proposal(s)`);
    for (const id of codeQueued) expect(getTrial(s(), id)!.status).toBe('dropped');
    for (const id of paramsQueued) expect(getTrial(s(), id)!.status).toBe('queued');
    const switches = journal().filter((e) => e.type === 'operator.switch');
    expect(switches).toMatchObject([
      { proposer: 'scripted-code', reason: 'operator key S' },
      { proposer: 'random', drop_queued: true },
    ]);
    expect(switches[0]).not.toHaveProperty('drop_queued');
  });

  it('switchSide with no proposer of the other side says so and journals nothing', async () => {
    const { engine, journal } = await setup({ proposers: 'random, grid' });
    expect(engine.switchSide(false)).toEqual({
      ok: false,
      message: 'no code proposer is configured (have: random (params), grid (params)): add one under proposer: (or use hybrid) to switch',
    });
    expect(journal()).toEqual([]);
  });

  it('a switch answers the hybrid ask: dispatch resumes and the ask is cleared', async () => {
    const { engine, s, journal } = await setup();
    engine.emit({ type: 'proposer.ask', reason: 'both sides stalled' });
    expect(s()).toMatchObject({ paused: true, ask: 'both sides stalled' });
    expect(engine.switchSide(false).ok).toBe(true);
    expect(s()).toMatchObject({ paused: false, ask: null });
    expect(journal().map((e) => e.type)).toEqual(['operator.switch', 'operator.resume']);
  });

  it('resume answers the hybrid ask too: the ask is cleared', async () => {
    const { engine, s } = await setup();
    engine.emit({ type: 'proposer.ask', reason: 'both sides stalled' });
    expect(engine.resumeDispatch('operator key p').ok).toBe(true);
    expect(s()).toMatchObject({ paused: false, ask: null });
  });
});
