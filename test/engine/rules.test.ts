// The engine's rules against the in-memory runner (no processes): capacity comes from the runner,
// the queue skips trials that are not ready, the budget ends the campaign, a stop is journaled and
// delivered, the evaluator runs through the runner with the trial's own environment, and the
// verdict is a function of explicit inputs.
import { describe, expect, it } from 'vitest';
import { campaignDir, engineFor, events, waitFor } from '../helpers.js';
import { MemoryRunner } from '../fakes/memory-runner.js';
import { RandomProposer } from '../../proposers/random.js';
import { getTrial, fold, initialState, type CampaignState, type TrialState } from '../../src/state.js';
import type { EventBody, NightshiftEvent } from '../../src/events.js';
import { judge, type JudgeInputs } from '../../src/engine/judge.js';
import { Engine } from '../../src/engine/engine.js';
import { loadCampaign } from '../../src/config/load.js';
import { PROPOSERS } from '../../proposers/index.js';
import { Journal } from '../../src/journal.js';
import { Store } from '../../src/store.js';
import * as fs from 'node:fs';

const CAMPAIGN = (extra: string) => `name: mem
command: train {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
proposer: random
${extra}`;

const proposers = () => new Map([['random', new RandomProposer()]]);
const ok = { code: 0, signal: null };

describe('engine rules on the in-memory runner', () => {
  it('starts no more trials than the runner has free placements, and hands the trial its files', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN('parallel: 2\nbudget: { trials: 4 }\n') });
    const runner = new MemoryRunner(2, (l) => ({ lines: [`loss=${l.id}`] })); // every trial runs until told to finish
    const { engine, store } = await engineFor(dir, { runner, proposers: proposers() });
    const done = engine.start();
    await waitFor(() => store.getState().running.length === 2, 5000, 'two running');
    await new Promise((r) => setTimeout(r, 50));
    expect(store.getState().running).toHaveLength(2);
    expect(runner.launches).toHaveLength(2);
    const l = runner.launches[0];
    expect(JSON.parse(l.files['params.json'])).toEqual(getTrial(store.getState(), l.id)!.params);
    expect(l.command).toMatch(/^train 0\.\d+|^train [01](\.0)?$/);
    // The locator the runner gave is journaled.
    const started = events(`${dir}/out`).find((e) => e.type === 'trial.started')!;
    expect(started).toMatchObject({ v: 3, locator: { runner: 'local', host: 'mem', pid: 1_000_000 + l.id } });
    // Finishing one frees its placement: the next queued trial starts.
    runner.trials.get(l.id)!.finish(ok);
    await waitFor(() => runner.launches.length === 3, 5000, 'a third start');
    for (const t of runner.trials.values()) t.finish(ok);
    await waitFor(() => runner.launches.length === 4, 5000, 'a fourth start');
    for (const t of runner.trials.values()) t.finish(ok);
    const outcome = await done;
    expect(outcome).toEqual({ kind: 'finished', reason: 'trial budget reached: 4 trials' });
    expect(runner.taken()).toBe(0);
    expect(events(`${dir}/out`).some((e) => e.type === 'host.up')).toBe(true);
  });

  it('ends at the trial budget with every trial decided', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN('parallel: 3\nbudget: { trials: 7 }\n') });
    const runner = new MemoryRunner(3, (l) => ({ lines: [`loss=${l.id}`], exit: ok }));
    const { engine, store } = await engineFor(dir, { runner, proposers: proposers() });
    expect(await engine.start()).toMatchObject({ kind: 'finished', reason: 'trial budget reached: 7 trials' });
    const s = store.getState();
    expect((s.counts.keep ?? 0) + (s.counts.discard ?? 0)).toBe(7);
    expect(getTrial(s, 1)!.score).toBe(1);
    expect(runner.launches).toHaveLength(7);
  });

  it('skips a queued trial that is not ready and starts the next one', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN('parallel: 1\nbudget: { trials: 2 }\n') });
    const runner = new MemoryRunner(1, () => ({ exit: ok, lines: ['loss=1'] }));
    let holdFirst = true;
    fs.mkdirSync(`${dir}/out`);
    const engine = new Engine({
      config: loadCampaign(`${dir}/campaign.yaml`, { proposers: PROPOSERS }),
      outDir: `${dir}/out`,
      journal: Journal.create(`${dir}/out/journal.jsonl`),
      store: new Store(),
      runner,
      proposers: proposers(),
      // The hook the code-trial stages use: #1 is not prepared yet.
      ready: (t) => !(holdFirst && t.id === 1),
    });
    const done = engine.start();
    await waitFor(() => runner.launches.length >= 1, 5000, 'a start');
    expect(runner.launches[0].id).toBe(2);
    holdFirst = false;
    engine.kick();
    await done;
    expect(runner.launches.map((l) => l.id)).toEqual([2, 1]);
  });

  it('journals an operator kill before delivering it, and the trial is decided killed', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN('budget: { trials: 1 }\n') });
    const runner = new MemoryRunner(1, () => ({ lines: ['step=1 loss=3'] }));
    const { engine, store } = await engineFor(dir, { runner, proposers: proposers() });
    const done = engine.start();
    await waitFor(() => store.getState().running.length === 1, 5000, 'running');
    expect(engine.tail(1)).toEqual(['step=1 loss=3']);
    expect(engine.stopTrial(1, 'kill', 'enough')).toEqual({ ok: true, message: 'killing #1' });
    await done;
    expect(runner.trials.get(1)!.cancels).toEqual(['kill']);
    const t = getTrial(store.getState(), 1)!;
    expect(t.status).toBe('killed');
    expect(t.reason).toBe('killed by the operator: enough');
    // Still readable once decided, from memory.
    expect(engine.tail(1)).toEqual(['step=1 loss=3']);
    const types = events(`${dir}/out`).map((e) => e.type);
    expect(types.indexOf('operator.kill')).toBeLessThan(types.indexOf('trial.finished'));
  });

  it('runs the evaluator through the runner, with the same environment as the trial', async () => {
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN('budget: { trials: 1 }\nevaluate: { command: "score {x}" }\nenv: { A: b }\n') });
    const runner = new MemoryRunner(
      1,
      () => ({ lines: ['loss=9'], exit: ok }),
      () => ({ ok: true, code: 0, signal: null, stdout: 'loss=0.5\n', lastLine: '', timedOut: false }),
    );
    const { engine, store } = await engineFor(dir, { runner, proposers: proposers() });
    await engine.start();
    expect(runner.execs).toHaveLength(1);
    expect(runner.execs[0].env).toEqual(runner.launches[0].env);
    expect(runner.execs[0].env.A).toBe('b');
    expect(runner.execs[0].logName).toBe('evaluate.log');
    expect(getTrial(store.getState(), 1)!.score).toBe(0.5);
  });
});

describe('judge', () => {
  const cfg = { metric: { name: 'loss', goal: 'minimize' as const }, decide: { mode: 'single' as const }, evaluate: undefined };
  function stateWith(bodies: EventBody[]): CampaignState {
    let s = initialState();
    bodies.forEach((b, i) => (s = fold(s, { v: 2, seq: i + 1, t: 1000 + i, ...b } as NightshiftEvent)));
    return s;
  }
  const s = stateWith([
    { type: 'campaign.started', name: 'c', goal: 'minimize', metric: 'loss', seed: 0, proposer: 'random', proposers: ['random'], config_file: 'x', config_hash: 'h', frozen: {}, budget: {}, parallel: 1 },
    { type: 'trial.proposed', id: 1, proposer: 'random', proposal: { kind: 'params', params: { x: 1 } } },
    { type: 'trial.started', id: 1, slot: 0, host: 'a', locator: { runner: 'local', host: 'a', pid: 5, dir: '/t/1' }, fingerprint: { key: 'k', host: 'a', hardware: 'h', budget: '{}' } },
    { type: 'trial.metric', id: 1, points: { loss: [[1, 0.25]] } },
  ]);
  const t = (): TrialState => getTrial(s, 1)!;
  const inputs = (over: Partial<JudgeInputs> = {}): JudgeInputs => ({
    config: cfg,
    state: s,
    cohorts: 1,
    lastLine: 'Traceback: boom',
    frozenChanged: () => [],
    evaluate: async () => ({ ok: true, metrics: {} }),
    ...over,
  });

  it('goes by a stop that reached the trial, whatever its exit', async () => {
    expect(await judge(t(), ok, { by: 'pruner', mode: 'prune', reason: 'median' }, inputs())).toMatchObject({ status: 'pruned', reason: 'median', score: null });
    expect(await judge(t(), ok, { by: 'interrupt', mode: 'stop', reason: 'quit' }, inputs())).toMatchObject({ status: 'lost' });
  });

  it('a non-zero exit is a crash quoting the last line; a vanished process is a crash', async () => {
    expect(await judge(t(), { code: 3, signal: null }, null, inputs())).toMatchObject({ status: 'crash', reason: 'exit code 3: Traceback: boom' });
    expect((await judge(t(), { code: null, signal: null, vanished: true }, null, inputs())).reason).toMatch(/vanished/);
  });

  it('a sandbox limit or a sandbox that could not be set up is a crash with that reason, whatever the exit code', async () => {
    expect(await judge(t(), { code: 137, signal: null, limit: 'out of memory limit (64m)' }, null, inputs())).toMatchObject({ status: 'crash', reason: 'out of memory limit (64m)', score: null });
    expect(await judge(t(), { code: 0, signal: null, limit: 'process limit (512) reached' }, null, inputs())).toMatchObject({ status: 'crash', reason: 'process limit (512) reached' });
    expect(await judge(t(), { code: 125, signal: null, sandboxError: 'bwrap: not installed' }, null, inputs())).toMatchObject({ status: 'crash', reason: 'sandbox could not start: bwrap: not installed', score: null });
    // A stop that reached the trial still wins: the operator's kill is why it ended.
    expect(await judge(t(), { code: 137, signal: null, limit: 'out of memory limit (64m)' }, { by: 'operator', mode: 'kill', reason: 'killed by operator' }, inputs())).toMatchObject({ status: 'killed' });
  });

  it('a changed frozen file makes the trial invalid, never a score', async () => {
    expect(await judge(t(), ok, null, inputs({ frozenChanged: () => ['eval.py'] }))).toMatchObject({ status: 'invalid', score: null });
  });

  it('scores the printed metric, or the evaluator’s when one is configured', async () => {
    expect(await judge(t(), ok, null, inputs())).toMatchObject({ status: 'keep', score: 0.25, best: true });
    const withEval = inputs({ config: { ...cfg, evaluate: { command: 'e', timeout_ms: 1000 } }, evaluate: async () => ({ ok: true, metrics: { loss: 0.1 } }) });
    expect(await judge(t(), ok, null, withEval)).toMatchObject({ status: 'keep', score: 0.1, metrics: { loss: 0.1 } });
    const failing = inputs({ config: { ...cfg, evaluate: { command: 'e', timeout_ms: 1000 } }, evaluate: async () => ({ ok: false, metrics: {}, error: 'no' }) });
    expect(await judge(t(), ok, null, failing)).toMatchObject({ status: 'crash', reason: 'no' });
  });
});
