// Dispatch under trials that end as fast as they start: the event loop must keep turning (timers,
// keys and signals are served between dispatches) and a finished trial must leave nothing behind.
import { describe, expect, it } from 'vitest';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { campaignDir, engineFor } from '../helpers.js';
import { PROPOSERS, createProposer } from '../../proposers/index.js';
import { loadCampaign } from '../../src/config/load.js';
import type { Placement, Runner, RunningTrial, TrialLaunch } from '../../src/runner.js';
import { MemoryRunner } from '../fakes/memory-runner.js';
import * as path from 'node:path';
import { LocalRunner } from '../../runners/local.js';

/** An in-memory runner whose trials print one metric line and exit at once. */
class InstantRunner extends MemoryRunner {
  readonly handles: Array<WeakRef<RunningTrial>> = [];
  constructor(slots: number) {
    super(slots, (launch) => ({ lines: [`loss=${launch.id}`], exit: { code: 0, signal: null } }));
  }
  override async start(launch: TrialLaunch, placement: Placement, onLine: (line: string) => void): Promise<RunningTrial> {
    const trial = await super.start(launch, placement, onLine);
    // Some bulk, so that a retained trial would show.
    Object.assign(trial, { ballast: new Array(1000).fill(launch.id) });
    this.trials.delete(launch.id);
    this.handles.push(new WeakRef(trial));
    return trial;
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
      open: (onHost) => local.open(onHost),
      free: () => local.free(),
      reattach: (info, onLine) => local.reattach(info, onLine),
      exec: (locator, req) => local.exec(locator, req),
      tail: (locator, n) => local.tail(locator, n),
      async start(launch, placement, onLine) {
        const t = await local.start(launch, placement, onLine);
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
