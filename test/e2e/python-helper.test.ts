// Runs python/nightshift.py in a real python3 child process (no mocks): the lines it prints must
// parse with MetricParser, and should_prune() must flip when the control file is written.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricParser, type MetricPoint } from '../../src/metrics.js';

const HELPER_DIR = resolve(import.meta.dirname, '..', '..', 'python');

/** Every distinct python3 we can find: PATH's, the system one, and a 3.8 for the compatibility floor. */
function interpreters(): string[] {
  const candidates = ['python3', '/usr/bin/python3', '/root/.pyenv/versions/3.8.18/bin/python3.8'];
  const seen = new Map<string, string>();
  for (const c of candidates) {
    const r = spawnSync(c, ['-c', 'import sys; print(sys.version_info[:2] >= (3, 8), sys.executable)'], { encoding: 'utf8' });
    if (r.status !== 0 || !r.stdout.startsWith('True')) continue;
    const exe = r.stdout.trim().split(' ').slice(1).join(' ');
    if (!seen.has(exe)) seen.set(exe, c);
  }
  return [...seen.values()];
}

const PYTHONS = interpreters();
const tmpRoot = mkdtempSync(join(tmpdir(), 'ns-pyhelper-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

const TRIAL_SCRIPT = String.raw`
import sys, time
import nightshift

p = nightshift.params()
sys.stderr.write("params lr=%r act=%r dir=%r id=%r\n" % (p.get("lr"), p.get("act"), nightshift.trial_dir(), nightshift.trial_id()))
assert nightshift.should_prune() is False, "control file is empty: must not prune"
nightshift.report(0, val_loss=2.5, acc=0.25)
nightshift.report(1, **{"val loss": 1.25, "train/loss": 1.5, "n": 7})
nightshift.report(2, val_loss=float("nan"), big=float("inf"), tiny=1.5e-7, whole=3.0)
nightshift.report(None, val_loss=0.75)
print("READY", flush=True)
step = 3
deadline = time.time() + 20
while time.time() < deadline:
    if nightshift.should_prune():
        print("PRUNED at step %d because %s" % (step, nightshift.control()), flush=True)
        sys.exit(0)
    time.sleep(0.01)
    step += 1
sys.exit(3)
`;

interface Run {
  stdout: string[];
  stderr: string;
  code: number | null;
}

function runTrial(python: string, env: Record<string, string>, onLine: (line: string) => void): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(python, ['-c', TRIAL_SCRIPT], {
      env: { ...process.env, PYTHONPATH: HELPER_DIR, PYTHONDONTWRITEBYTECODE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: string[] = [];
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      out.push(line);
      onLine(line);
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ stdout: out, stderr: err, code }));
  });
}

describe.skipIf(PYTHONS.length === 0)('python/nightshift.py in a real python3', () => {
  for (const python of PYTHONS) {
    it(`reports parseable lines and should_prune() flips on the control file (${python})`, async () => {
      const dir = mkdtempSync(join(tmpRoot, 'trial-'));
      const control = join(dir, 'control');
      writeFileSync(control, '');
      const started = Date.now();
      const run = await runTrial(
        python,
        {
          NIGHTSHIFT_CONTROL: control,
          NIGHTSHIFT_PARAMS: JSON.stringify({ lr: 0.05, act: 'relu' }),
          NIGHTSHIFT_TRIAL_DIR: dir,
          NIGHTSHIFT_TRIAL_ID: '17',
        },
        (line) => {
          // Write the control file only once the trial is polling it.
          if (line === 'READY') setTimeout(() => writeFileSync(control, 'prune\n'), 150);
        },
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`params lr=0.05 act='relu' dir='${dir}' id='17'`);

      const parser = new MetricParser({ primary: 'val_loss' });
      const points: Array<[string, number, number]> = [];
      for (const line of run.stdout) for (const p of parser.parse(line) as MetricPoint[]) points.push([p.name, p.step, p.value]);
      expect(run.stdout.slice(0, 4)).toEqual([
        'step=0 val_loss=2.5 acc=0.25',
        'step=1 val_loss=1.25 train/loss=1.5 n=7',
        'step=2 val_loss=nan big=inf tiny=1.5e-07 whole=3.0',
        'val_loss=0.75',
      ]);
      expect(points).toEqual([
        ['val_loss', 0, 2.5],
        ['acc', 0, 0.25],
        ['val_loss', 1, 1.25],
        ['train/loss', 1, 1.5],
        ['n', 1, 7],
        ['val_loss', 2, NaN],
        ['big', 2, Infinity],
        ['tiny', 2, 1.5e-7],
        ['whole', 2, 3],
        ['val_loss', 3, 0.75],
      ]);
      const last = run.stdout[run.stdout.length - 1];
      expect(last).toMatch(/^PRUNED at step \d+ because prune$/);
      // It noticed within a few polls, not at the 20 s deadline.
      expect(Date.now() - started).toBeLessThan(10_000);
    });

    it(`works with no nightshift environment at all (${python})`, () => {
      const code = [
        'import nightshift',
        'assert nightshift.params() == {}',
        'assert nightshift.should_prune() is False',
        'assert nightshift.trial_dir() is None and nightshift.trial_id() is None',
        'nightshift.report(5, loss=1)',
        'nightshift.report()',
      ].join('\n');
      const env: Record<string, string> = { PATH: process.env.PATH ?? '', PYTHONPATH: HELPER_DIR, PYTHONDONTWRITEBYTECODE: '1' };
      const r = spawnSync(python, ['-c', code], { env, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toBe('step=5 loss=1\n');
    });

    it(`reads params.json from the trial dir and sees stop, re-writes and deletion (${python})`, () => {
      const dir = mkdtempSync(join(tmpRoot, 'trial-'));
      writeFileSync(join(dir, 'params.json'), JSON.stringify({ width: 64 }));
      const control = join(dir, 'control');
      const code = [
        'import os, time, nightshift',
        'c = os.environ["NIGHTSHIFT_CONTROL"]',
        'assert nightshift.params() == {"width": 64}, nightshift.params()',
        'assert nightshift.should_prune() is False  # no control file yet',
        'open(c, "w").write("stop")',
        'assert nightshift.control() == "stop" and nightshift.should_prune()',
        // Same size, same timestamp tick: still seen because the last read was racy.
        'open(c, "w").write("    ")',
        'assert nightshift.control() == "", nightshift.control()',
        'open(c, "w").write("prune")',
        'assert nightshift.control() == "prune"',
        'os.remove(c)',
        'assert nightshift.should_prune() is False',
        'print("ok")',
      ].join('\n');
      const r = spawnSync(python, ['-c', code], {
        env: { ...process.env, PYTHONPATH: HELPER_DIR, PYTHONDONTWRITEBYTECODE: '1', NIGHTSHIFT_TRIAL_DIR: dir, NIGHTSHIFT_CONTROL: control, NIGHTSHIFT_PARAMS: '' },
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.trim()).toBe('ok');
    });

    it(`rejects malformed NIGHTSHIFT_PARAMS and non-numeric metrics with a clear error (${python})`, () => {
      const bad = spawnSync(python, ['-c', 'import nightshift; nightshift.params()'], {
        env: { ...process.env, PYTHONPATH: HELPER_DIR, PYTHONDONTWRITEBYTECODE: '1', NIGHTSHIFT_PARAMS: '{lr: 1' },
        encoding: 'utf8',
      });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain('NIGHTSHIFT_PARAMS is not valid JSON');
      const nonNum = spawnSync(python, ['-c', 'import nightshift; nightshift.report(1, loss="high")'], {
        env: { ...process.env, PYTHONPATH: HELPER_DIR, PYTHONDONTWRITEBYTECODE: '1' },
        encoding: 'utf8',
      });
      expect(nonNum.status).not.toBe(0);
      expect(nonNum.stderr).toContain("metric value 'high' is not a number");
    });
  }
});

if (PYTHONS.length === 0) {
  describe('python/nightshift.py', () => {
    it.skip('skipped: no python3 >= 3.8 found on this machine', () => {});
  });
}
