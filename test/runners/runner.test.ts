// The local runner against real processes: process groups, cooperative stop, hard kill, re-attach.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRunner, isAlive } from '../../runners/local.js';
import type { Locator } from '../../src/runner.js';
import { waitFor } from '../helpers.js';

function launch(command: string, id = 1) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-runner-'));
  return {
    id,
    command,
    cwd: dir,
    dir,
    env: { NIGHTSHIFT_TRIAL_DIR: dir, NIGHTSHIFT_CONTROL: path.join(dir, 'control') },
    params: {},
    files: {},
  };
}

const slot = (n: number) => ({ host: os.hostname(), slot: n, gpus: [] as string[] });
const locatorOf = (t: { locator: Locator }) => t.locator;

/** A trial that starts a grandchild, so we can check the whole group goes. */
const FAMILY = `sleep 30 & echo "child $!"; echo "shell $$"; wait`;

describe('LocalRunner', () => {
  it('streams output lines (stdout and stderr) and reports the exit code', async () => {
    const lines: string[] = [];
    const l = launch(`echo one; echo two >&2; printf 'three'; exit 4`);
    const t = await new LocalRunner(1).start(l, slot(0), (line) => lines.push(line));
    expect(await t.done).toMatchObject({ code: 4 });
    expect(lines).toEqual(['one', 'two', 'three']);
    expect(fs.readFileSync(path.join(l.dir, 'exit_code'), 'utf8').trim()).toBe('4');
  });

  it('kill: SIGKILL to the whole process group, grandchildren included', async () => {
    const lines: string[] = [];
    const t = await new LocalRunner(1).start(launch(FAMILY), slot(0), (line) => lines.push(line));
    const childPid = Number((await waitFor(() => lines.find((x) => x.startsWith('child ')), 5000, 'the grandchild')).split(' ')[1]);
    expect(isAlive(childPid)).toBe(true);
    t.cancel('kill', 10_000);
    const exit = await t.done;
    expect(exit.signal ?? exit.code).toBeTruthy();
    await waitFor(() => !isAlive(childPid), 5000, 'the grandchild to die');
  });

  it('prune: writes the control file and SIGTERMs; a cooperative trial exits on its own', async () => {
    const script = `import os, signal, sys, time
signal.signal(signal.SIGTERM, lambda *a: None)  # cooperative trials may finish their step first
print("ready", flush=True)
while True:
    c = os.environ["NIGHTSHIFT_CONTROL"]
    if os.path.exists(c):
        print("control says " + open(c).read().strip(), flush=True)
        sys.exit(0)
    time.sleep(0.02)
`;
    const l = launch('python3 coop.py');
    fs.writeFileSync(path.join(l.dir, 'coop.py'), script);
    const lines: string[] = [];
    const t = await new LocalRunner(1).start(l, slot(0), (line) => lines.push(line));
    await waitFor(() => lines.includes('ready'), 5000, 'ready');
    t.cancel('prune', 10_000);
    expect(await t.done).toMatchObject({ code: 0 });
    expect(lines).toContain('control says prune');
  });

  it('a trial that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const lines: string[] = [];
    const t = await new LocalRunner(1).start(launch(`trap '' TERM; echo armed; sleep 30`), slot(0), (line) => lines.push(line));
    await waitFor(() => lines.includes('armed'), 5000, 'armed');
    const start = Date.now();
    t.cancel('stop', 500);
    await t.done;
    expect(Date.now() - start).toBeGreaterThanOrEqual(400);
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it('re-attaches to a trial that outlived its supervisor and gets its exit status', async () => {
    const l = launch(`echo before; sleep 0.6; echo after; exit 7`);
    const first = new LocalRunner(1);
    const t = await first.start(l, slot(0), () => {});
    t.detach(); // the supervisor goes away
    const lines: string[] = [];
    const again = await new LocalRunner(1).reattach({ id: 1, locator: locatorOf(t), slot: 0 }, (line) => lines.push(line));
    expect(again && !again.exited).toBe(true);
    const exit = await (again as { trial: { done: Promise<{ code: number | null }> } }).trial.done;
    expect(exit.code).toBe(7);
    expect(lines).toEqual(['before', 'after']);
    // Once finished, re-attach reports the exit left behind instead.
    const later = await new LocalRunner(1).reattach({ id: 1, locator: locatorOf(t), slot: 0 }, () => {});
    expect(later?.exited).toEqual({ code: 7, signal: null });
  });

  it('refuses to adopt a recycled pid (different start time)', async () => {
    const l = launch('true');
    const r = await new LocalRunner(1).reattach({ id: 1, locator: { runner: 'local', host: os.hostname(), pid: process.pid, pid_start: '1', dir: l.dir }, slot: 0 }, () => {});
    expect(r).toBeNull();
  });
});

describe('LocalRunner GPU slots', () => {
  it('gives each slot its CUDA_VISIBLE_DEVICES and fingerprints the model, not the index', async () => {
    const runner = new LocalRunner(2, ['0', '1']);
    const seen: string[] = [];
    for (const slot of [0, 1]) {
      expect(runner.free()[0].slot).toBe(slot);
      const t = await runner.start(launch('echo "gpu=$CUDA_VISIBLE_DEVICES"', slot + 1), runner.free()[0], (line) => seen.push(line));
      await t.done;
    }
    expect(seen).toEqual(['gpu=0', 'gpu=1']);
    // Both slots are taken until released.
    expect(runner.free()).toEqual([]);
    expect(runner.hardware(0)).toBe(runner.hardware(1));
    expect(runner.hardware(0)).toMatch(/\+ /);
  });
});
