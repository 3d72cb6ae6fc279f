// Memory and process limits (issue 11) against real processes on this machine: a trial that fills
// memory or forks without end is stopped by the kernel through its own cgroup, the runner reports
// which limit ended it, nothing hangs and the cgroup is gone afterwards.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LocalRunner } from '../../runners/local.js';
import { LIMITS_PROBE, LIMIT_FILE, limitExit, limitsCleanup, limitsName, limitsWrap, parseLimitsProbe, sizeLabel, type Limits } from '../../runners/sandbox/limits.js';
import type { ExitInfo } from '../../src/runner.js';
import { waitFor } from '../helpers.js';

const MB = 2 ** 20;
const slot = { host: os.hostname(), slot: 0, gpus: [] as string[] };

/** Runs `command` under `limits` through the local runner, as a sandboxed trial would be. */
async function run(command: string, limits: Limits, env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-limits-'));
  const name = limitsName(dir);
  const lines: string[] = [];
  const trial = await new LocalRunner(1).start(
    { id: 1, command: limitsWrap(command, limits, name), cwd: dir, dir, env: { NIGHTSHIFT_TRIAL_DIR: dir, ...env }, params: {}, files: {} },
    slot,
    (l) => lines.push(l),
  );
  // Bounded: a limit that did not end the trial fails the test instead of hanging it.
  const exit = await Promise.race([trial.done, new Promise<ExitInfo>((_, no) => setTimeout(() => no(new Error(`not ended in 90 s; output: ${lines.slice(-5).join(' | ')}`)), 90_000).unref())]);
  return { exit, lines, dir, name };
}

/** Every cgroup directory named `name` under the cgroup mounts of this machine (v1 and v2). */
function cgroupsNamed(name: string): string[] {
  const found: string[] = [];
  const walk = (d: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (e.name === name) found.push(path.join(d, e.name));
      else if (depth < 4) walk(path.join(d, e.name), depth + 1);
    }
  };
  walk('/sys/fs/cgroup', 0);
  return found;
}

const FILL = `python3 -c "
x = []
for _ in range(500):
    x.append(bytearray(1 << 20))
print('filled')
"`;
const BOMB = `python3 -c "
import os, time
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.01)
"`;

describe('limitsWrap through the local runner', () => {
  it('what this machine can enforce: the probe says cgroup v1 memory and pids here', () => {
    const report = parseLimitsProbe(execFileSync('/bin/sh', ['-c', LIMITS_PROBE], { encoding: 'utf8' }));
    expect(report).toMatchObject({ memory: true, processes: true });
    expect(['cgroup2', 'cgroup1']).toContain(report.how);
  });

  it('a trial that fills memory past memory: ends with "out of memory limit (64m)", and its cgroup is gone', async () => {
    const { exit, lines, name } = await run(FILL, { memoryBytes: 64 * MB });
    expect(exit.limit).toBe('out of memory limit (64m)');
    expect(exit.code).not.toBe(0);
    expect(lines).not.toContain('filled');
    expect(cgroupsNamed(name)).toEqual([]);
  }, 120_000);

  it('a fork bomb past processes: ends with "process limit (32) reached", everything in it killed, its cgroup gone', async () => {
    const { exit, name } = await run(BOMB, { processes: 32 });
    expect(exit.limit).toBe('process limit (32) reached');
    expect(cgroupsNamed(name)).toEqual([]);
    const left = execFileSync('/bin/sh', ['-c', 'ps -eo args | grep -c "[o]s.fork()" || true'], { encoding: 'utf8' }).trim();
    expect(left).toBe('0');
  }, 120_000);

  it('a trial within its limits runs as usual: its output, exit 0, no limit reason, no cgroup left', async () => {
    const { exit, lines, dir, name } = await run(`python3 -c "print('loss=0.5')"; echo "$0"`, { memoryBytes: 256 * MB, processes: 64 });
    expect(exit).toEqual({ code: 0, signal: null });
    expect(lines).toEqual(['loss=0.5', 'nightshift-trial']);
    expect(fs.existsSync(path.join(dir, LIMIT_FILE))).toBe(false);
    expect(cgroupsNamed(name)).toEqual([]);
  }, 60_000);

  it('only the trial is in the cgroup: the wrapper around it is not (an OOM kill cannot take the exit status with it)', async () => {
    const { exit, lines } = await run(`echo "trial $(grep -c nightshift- /proc/$$/cgroup)"; echo "wrapper $(grep -c nightshift- /proc/$PPID/cgroup)"`, { memoryBytes: 64 * MB });
    expect(exit.code).toBe(0);
    expect(lines).toEqual(['trial 1', 'wrapper 0']);
  }, 60_000);

  it('a hard kill takes the limits wrapper with the trial; limitsCleanup removes the cgroup it left', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-limits-'));
    const name = limitsName(dir);
    const lines: string[] = [];
    const trial = await new LocalRunner(1).start(
      { id: 1, command: limitsWrap('echo up; sleep 60', { memoryBytes: 64 * MB, processes: 32 }, name), cwd: dir, dir, env: { NIGHTSHIFT_TRIAL_DIR: dir }, params: {}, files: {} },
      slot,
      (l) => lines.push(l),
    );
    await waitFor(() => lines.includes('up'), 30_000, 'the trial to start');
    await trial.cancel('kill', 1000);
    await trial.done;
    expect(cgroupsNamed(name).length).toBeGreaterThan(0);
    execFileSync('/bin/sh', ['-c', limitsCleanup(name)]);
    expect(cgroupsNamed(name)).toEqual([]);
  }, 60_000);

  it('the local runner removes the cgroup of a sandboxed trial it killed hard', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-limits-'));
    const lines: string[] = [];
    const sandbox = { network: false, hide: [], readOnly: [], hidePaths: [], memoryBytes: 64 * MB, processes: 32 };
    const trial = await new LocalRunner(1).start({ id: 1, command: 'echo up; sleep 60', cwd: dir, dir, env: { NIGHTSHIFT_TRIAL_DIR: dir }, params: {}, files: {}, sandbox }, slot, (l) => lines.push(l));
    await waitFor(() => lines.includes('up'), 30_000, 'the trial to start');
    const name = limitsName(dir);
    expect(cgroupsNamed(name).length).toBeGreaterThan(0);
    await trial.cancel('kill', 1000);
    await trial.done;
    await waitFor(() => cgroupsNamed(name).length === 0, 30_000, 'the cgroup to be removed');
  }, 60_000);

  it('a limit asked where nothing can enforce it: the trial never runs and says why (a sandbox error)', async () => {
    const { exit, dir } = await run(`touch ran`, { processes: 32 }, { NIGHTSHIFT_LIMITS_VIA: 'none' });
    expect(exit.sandboxError).toMatch(/^the sandbox limits \(processes: 32\) cannot be enforced on this machine: .*remove memory:\/processes: from sandbox:$/);
    expect(exit.limit).toBeUndefined();
    expect(fs.existsSync(path.join(dir, 'ran'))).toBe(false);
  }, 60_000);

  it('prlimit, the weak fallback: the address-space cap stops the allocation and the reason says how it was enforced', async () => {
    const { exit } = await run(FILL, { memoryBytes: 64 * MB }, { NIGHTSHIFT_LIMITS_VIA: 'prlimit' });
    expect(exit.limit).toBe('out of memory limit (64m, an address-space limit through prlimit)');
    // As root the per-user process limit does not apply: refused rather than pretended.
    if (process.getuid?.() === 0) {
      const refused = await run('true', { processes: 32 }, { NIGHTSHIFT_LIMITS_VIA: 'prlimit' });
      expect(refused.exit.sandboxError).toMatch(/cannot be enforced/);
    }
  }, 120_000);
});

describe('limits: the pieces', () => {
  it('no limit asked: the command is left as it is', () => {
    expect(limitsWrap('python3 train.py', {}, 'x')).toBe('python3 train.py');
  });

  it('reads the reason file: a limit, or a sandbox error that kept the trial from starting', () => {
    expect(limitExit('out of memory limit (16g)\n')).toEqual({ limit: 'out of memory limit (16g)' });
    expect(limitExit('sandbox: no cgroup\n')).toEqual({ sandboxError: 'no cgroup' });
    expect(limitExit('')).toEqual({});
    expect(limitExit(null)).toEqual({});
  });

  it('sizes as the campaign file says them; names unique per trial directory and stable', () => {
    expect([sizeLabel(16 * 2 ** 30), sizeLabel(64 * MB), sizeLabel(1536 * MB), sizeLabel(1000)]).toEqual(['16g', '64m', '1536m', '1000 bytes']);
    expect(limitsName('/a/.nightshift/c/trials/1')).toBe(limitsName('/a/.nightshift/c/trials/1'));
    expect(limitsName('/a/.nightshift/c/trials/1')).not.toBe(limitsName('/b/.nightshift/c/trials/1'));
    expect(limitsName('/a/trials/7')).toMatch(/^nightshift-7-[0-9a-f]{12}$/);
  });

  it('parses the probe; anything else is "none" with a note', () => {
    expect(parseLimitsProbe('limits=1\nhow=prlimit\nmemory=yes\nprocesses=no\nnote=prlimit only (weak)\nnote2=processes: cannot be enforced here\n')).toEqual({
      how: 'prlimit',
      memory: true,
      processes: false,
      note: 'prlimit only (weak); processes: cannot be enforced here',
    });
    expect(parseLimitsProbe('limits=1\nhow=cgroup1\nmemory=yes\nprocesses=yes\n')).toEqual({ how: 'cgroup1', memory: true, processes: true });
    expect(parseLimitsProbe('sh: not found')).toMatchObject({ how: 'none', memory: false, processes: false });
  });
});
