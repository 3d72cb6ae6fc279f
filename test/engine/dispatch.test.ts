// Dispatch under trials that end as fast as they start: the event loop must keep turning (timers,
// keys and signals are served between dispatches) and a finished trial must leave nothing behind.
import { describe, expect, it } from 'vitest';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { campaignDir, engineFor } from '../helpers.js';
import { PROPOSERS, createProposer } from '../../proposers/index.js';
import { loadCampaign } from '../../src/config/load.js';
import type { ExitInfo, HostInfo, ReattachInfo, Runner, RunningTrial, TrialLaunch } from '../../runners/types.js';
import * as path from 'node:path';
import { LocalRunner } from '../../runners/local.js';

/** An in-memory runner whose trials print one metric line and exit at once. */
class InstantRunner implements Runner {
  readonly handles: Array<WeakRef<RunningTrial>> = [];
  constructor(readonly slots: number) {}
  host(): HostInfo {
    return { host: 'mem', hardware: 'mem' };
  }
  start(launch: TrialLaunch, _slot: number, onLine: (line: string) => void): RunningTrial {
    onLine(`loss=${launch.id}`);
    const trial: RunningTrial = {
      id: launch.id,
      pid: 1_000_000 + launch.id,
      host: 'mem',
      // Some bulk, so that a retained trial would show.
      ...{ ballast: new Array(1000).fill(launch.id) },
      done: Promise.resolve<ExitInfo>({ code: 0, signal: null }),
      ended: () => true,
      cancel() {},
      detach() {},
    };
    this.handles.push(new WeakRef(trial));
    return trial;
  }
  reattach(_info: ReattachInfo): null {
    return null;
  }
}

const CAMPAIGN = (trials: number) => `name: instant
command: "true"
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
proposer: random
parallel: 2
budget: { trials: ${trials} }
`;

async function instantCampaign(trials: number) {
  const dir = campaignDir({ 'campaign.yaml': CAMPAIGN(trials) });
  const config = loadCampaign(path.join(dir, 'campaign.yaml'), { proposers: PROPOSERS });
  const runner = new InstantRunner(2);
  const proposers = new Map([['random', createProposer(config.proposers[0], { space: config.space })]]);
  const parts = await engineFor(dir, { runner, proposers });
  return { ...parts, runner };
}

describe('dispatch', () => {
  it('lets the event loop turn between dispatches when trials end at once', async () => {
    const { engine, store } = await instantCampaign(200);
    // A ticker on the check phase: it only advances when the event loop turns.
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const outcome = await engine.start();
    running = false;
    expect(outcome.kind).toBe('finished');
    expect(store.getState().counts.keep! + store.getState().counts.discard!).toBe(200);
    // One turn at least per two trials (two slots): before, the whole campaign ran in microtasks.
    expect(ticks).toBeGreaterThanOrEqual(100);
  });

  it('keeps no reference to a finished trial, in the engine or the local runner', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const dir = campaignDir({ 'campaign.yaml': CAMPAIGN(40).replace('command: "true"', 'command: "echo loss=1"') });
    const config = loadCampaign(path.join(dir, 'campaign.yaml'), { proposers: PROPOSERS });
    // The real local runner, with a weak reference kept to every trial handle it gives out.
    const local = new LocalRunner(2);
    const handles: Array<WeakRef<RunningTrial>> = [];
    const runner: Runner = {
      slots: 2,
      host: (slot) => local.host(slot),
      reattach: (info, onLine) => local.reattach(info, onLine),
      start(launch, slot, onLine) {
        const t = local.start(launch, slot, onLine);
        handles.push(new WeakRef(t));
        return t;
      },
    };
    const proposers = new Map([['random', createProposer(config.proposers[0], { space: config.space })]]);
    const { engine } = await engineFor(dir, { runner, proposers });
    expect((await engine.start()).kind).toBe('finished');
    // Let the last exits' callbacks and handle closes run, then collect.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 20));
      gc();
    }
    expect(handles.length).toBe(40);
    expect(handles.filter((w) => w.deref() !== undefined).length).toBe(0);
  });
});
