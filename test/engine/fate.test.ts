// A trial's fate: the pruner only acts on trials still running (a trial that exited on its own is
// judged by its exit and final metrics), and every cancel intent is journaled so that a resumed
// supervisor honours it. Real child processes, a real journal, kill -9 of a real supervisor.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignDir, cli, cliSpawn, engineFor, events, processesWithEnv, stateOf, waitFor } from '../helpers.js';
import { Engine } from '../../src/engine/engine.js';
import { Journal, readJournal } from '../../src/journal.js';
import { loadCampaign } from '../../src/config/load.js';
import { PROPOSERS } from '../../proposers/index.js';
import { Store } from '../../src/store.js';
import { replay, getTrial } from '../../src/state.js';
import { LocalRunner } from '../../runners/local.js';
import { RandomProposer } from '../../proposers/random.js';

/** Trial 1 learns well; later trials print a worse curve (the median pruner would prune them) and exit 0. */
const CURVES = `import os, sys, time
i = int(os.environ["NIGHTSHIFT_TRIAL_ID"])
delay = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0
time.sleep(delay if i > 1 else 0)
for step in range(1, 6):
    print(f"step={step} loss={(1.0 if i == 1 else 5.0) / step:.4f}", flush=True)
`;

function campaign(extra = '', command = 'python3 curves.py'): string {
  return `name: fate
command: ${command}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
parallel: 1
seed: 5
pruner: { type: median, warmup_steps: 0, min_trials: 1 }
budget: { trials: 2 }
${extra}`;
}

describe('a trial that exited on its own', () => {
  it('is judged by its exit and final metrics, not pruned after the fact (normal run)', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign(), 'curves.py': CURVES });
    const { engine, store } = await engineFor(dir, { runner: new LocalRunner(1), proposers: new Map([['random', new RandomProposer()]]) });
    await engine.start();
    const t2 = getTrial(store.getState(), 2)!;
    expect(t2.status, t2.reason).toBe('discard');
    expect(t2.score).toBeCloseTo(1.0, 6);
  });

  it('is judged by its exit and final metrics when `resume` finds it finished while nobody watched', async () => {
    const dir = campaignDir({ 'campaign.yaml': campaign('', 'python3 curves.py 1.5'), 'curves.py': CURVES });
    const runner = new LocalRunner(1);
    const proposers = new Map([['random', new RandomProposer()]]);
    const first = await engineFor(dir, { runner, proposers });
    const done = first.engine.start();
    await waitFor(() => first.store.getState().running.includes(2), 20_000, 'trial 2 to start');
    await first.engine.detach();
    await done;
    const t2dir = getTrial(first.store.getState(), 2)!.locator!.dir;
    await waitFor(() => fs.existsSync(path.join(t2dir, 'exit_code')), 20_000, 'trial 2 to exit unwatched');

    const jp = path.join(first.out, 'journal.jsonl');
    const read = readJournal(jp);
    const store = new Store(replay(read.events));
    const engine = new Engine({ config: loadCampaign(path.join(dir, 'campaign.yaml'), { proposers: PROPOSERS }), outDir: first.out, journal: Journal.reopen(jp, read), store, runner, proposers });
    await engine.resume(false);
    const t2 = getTrial(store.getState(), 2)!;
    expect(t2.status, t2.reason).toBe('discard');
    expect(t2.score).toBeCloseTo(1.0, 6);
  });
});

/**
 * Stops cooperatively (SIGTERM or its control file): takes a moment, then prints a (too good) final
 * score and exits 0. Started with SIGTERM ignored, so a stop that comes before Python has installed
 * its handler (a slow start on a loaded machine) is still seen through the control file.
 */
const COOPERATIVE = `import os, signal, sys, time
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
print("step=1 loss=3.0", flush=True)
while not stop and not os.path.exists(os.environ["NIGHTSHIFT_CONTROL"]):
    time.sleep(0.05)
time.sleep(2.0)
print("loss: 0.001", flush=True)
`;
const COOPERATIVE_COMMAND = `"trap '' TERM; exec python3 coop.py"`;

describe('a cancel intent whose supervisor died before the trial exited', () => {
  it('is journaled and honoured by `resume`: a timed-out trial that then exits 0 is not scored', async () => {
    const dir = campaignDir({
      'campaign.yaml': campaign('kill_grace: 30s\n', COOPERATIVE_COMMAND).replace('budget: { trials: 2 }', 'budget: { trials: 1, trial_timeout: 1s }').replace(/pruner: .*\n/, ''),
      'coop.py': COOPERATIVE,
    });
    const out = path.join(dir, '.nightshift', 'fate');
    const run = cliSpawn(['run', 'campaign.yaml', '--headless'], dir);
    // The supervisor asked the trial to stop (its control file says so); it dies before the trial exits.
    await waitFor(() => fs.existsSync(path.join(out, 'trials', '1', 'control')), 20_000, 'the timeout to stop trial 1');
    run.child.kill('SIGKILL');
    await run.exited;
    expect(events(out).some((e) => e.type === 'trial.cancel_requested' && e.id === 1)).toBe(true);
    await waitFor(() => fs.existsSync(path.join(out, 'trials', '1', 'exit_code')), 20_000, 'trial 1 to exit unwatched');

    const r = cli(['resume', 'campaign.yaml', '--headless'], dir);
    expect(r.code, r.stderr).toBe(0);
    const t = getTrial(stateOf(out), 1)!;
    expect(t.status).toBe('timeout');
    expect(t.score).toBeNull();
    expect(t.reason).toContain('trial_timeout');
    expect(processesWithEnv(out)).toEqual([]);
  });

  it('is re-delivered by `resume` when the trial is still running (a prune that never reached it)', async () => {
    // Trial 2 is pruned; it ignores SIGTERM and reads its control file only once the test says so.
    const script = `import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
i = int(os.environ["NIGHTSHIFT_TRIAL_ID"])
ctl = os.environ["NIGHTSHIFT_CONTROL"]
go = os.path.join(os.environ["NIGHTSHIFT_TRIAL_DIR"], "go")
for step in range(1, 4):
    print(f"step={step} loss={(1.0 if i == 1 else 5.0) / step:.4f}", flush=True)
if i == 1: sys.exit(0)
while not os.path.exists(go): time.sleep(0.05)
while not (os.path.exists(ctl) and open(ctl).read().strip()): time.sleep(0.05)
print("loss: 0.001", flush=True)
`;
    const dir = campaignDir({ 'campaign.yaml': campaign('kill_grace: 30s\n', 'python3 ignore.py'), 'ignore.py': script });
    const out = path.join(dir, '.nightshift', 'fate');
    const run = cliSpawn(['run', 'campaign.yaml', '--headless'], dir);
    const control = path.join(out, 'trials', '2', 'control');
    await waitFor(() => fs.existsSync(control), 20_000, 'the pruner to stop trial 2');
    run.child.kill('SIGKILL');
    await run.exited;
    // As if the supervisor had died between journaling the prune and delivering it.
    fs.rmSync(control);
    fs.writeFileSync(path.join(out, 'trials', '2', 'go'), '');
    const r = cli(['resume', 'campaign.yaml', '--headless'], dir);
    expect(r.code, r.stderr).toBe(0);
    const t = getTrial(stateOf(out), 2)!;
    expect(t.status).toBe('pruned');
    expect(t.score).toBeNull();
    expect(processesWithEnv(out)).toEqual([]);
  });
});
