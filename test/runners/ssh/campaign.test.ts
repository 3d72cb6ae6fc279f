// A campaign over a real OpenSSH server (test/harness/sshd.ts), through the real CLI: trials run
// on the host as its user, output and metrics come back, the evaluator runs there, the code is
// shipped once and then found in the host's cache, and more trials run at once than the server
// allows channels (MaxSessions 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { BIN, campaignDir, cli, events, stateOf, waitFor } from '../../helpers.js';
import { allTrials } from '../../../src/state.js';
import type { EventOf } from '../../../src/events.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';

const skip = sshdUnavailable();
if (skip) console.warn(`SSH runner tests skipped: ${skip}`);

// Writes its score where the evaluator reads it, on the host; prints a learning curve.
const TRIAL_PY = `import os, sys, time
x = float(sys.argv[1])
f = (x - 0.3) ** 2
for step in range(1, 4):
    time.sleep(0.15)
    print(f"step={step} loss={f + 1.0 / step:.6f} host={os.environ.get('USER', '?')}", flush=True)
open(os.path.join(os.environ["NIGHTSHIFT_TRIAL_DIR"], "score"), "w").write(f"loss: {f:.6f}\\n")
`;

function campaign(workdir: string, trials: number): string {
  return `name: remote
command: python3 trial.py {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
budget: { trials: ${trials} }
evaluate: cat "$NIGHTSHIFT_TRIAL_DIR/score"
hosts:
  - { name: testhost, slots: 5, workdir: ${workdir} }
`;
}

describe.skipIf(skip)('SSH runner: a campaign on a real sshd', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd({ maxSessions: 3 });
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('runs every trial on the host, scores it with the evaluator there, and ships the code once', () => {
    const workdir = sshd.remoteDir();
    const dir = campaignDir({ 'campaign.yaml': campaign(workdir, 8), 'trial.py': TRIAL_PY });
    const out = path.join(dir, '.nightshift', 'remote');
    const env = { HOME: sshd.home, SSH_AUTH_SOCK: '' };
    const r = cli(['run', 'campaign.yaml', '--headless'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const evs = events(out);
    expect(evs.find((e) => e.type === 'host.up')).toMatchObject({ host: 'testhost' });
    const started = evs.filter((e): e is EventOf<'trial.started'> => e.type === 'trial.started');
    expect(started).toHaveLength(8);
    for (const e of started) expect(e.locator).toMatchObject({ runner: 'ssh', host: 'testhost', dir: `${workdir}/remote/${e.id}` });
    const s = stateOf(out);
    const trials = allTrials(s);
    expect(trials.every((t) => t.status === 'keep' || t.status === 'discard')).toBe(true);
    // The curve came back live from the host, the score from the evaluator run there.
    for (const t of trials) {
      expect(t.curve.toArray().map(([step]) => step)).toEqual([1, 2, 3]);
      expect(fs.readFileSync(path.join(out, 'trials', String(t.id), 'output.log'), 'utf8')).toBe(sshd.asUser(`cat ${workdir}/remote/${t.id}/output.log`));
      expect(t.score).toBeCloseTo(((t.params.x as number) - 0.3) ** 2, 5);
    }
    // Five slots ran at once although the server allows three channels per connection.
    let running = 0;
    let overlap = 0;
    for (const e of evs) {
      if (e.type === 'trial.started') overlap = Math.max(overlap, ++running);
      if (e.type === 'trial.finished') running--;
    }
    expect(overlap).toBeGreaterThan(3);
    // Ran as the login user, and the trial's files are on the host.
    expect(sshd.asUser(`cat ${workdir}/remote/1/output.log`)).toContain(`host=${sshd.user}`);
    const cache = () => sshd.asUser(`ls -di ${workdir}/.nightshift-cache/*/`).trim();
    const shipped = () => sshd.asUser(`cat ${workdir}/.nightshift-cache/shipped.log`).trim().split('\n');
    const first = cache();
    expect(first.split('\n')).toHaveLength(1);
    expect(shipped()).toHaveLength(1);
    // A second campaign with the same code finds it in the cache: nothing is sent, the directory is the same one.
    const again = cli(['run', 'campaign.yaml', '--headless', '--fresh', '--max-trials', '2'], dir, env);
    expect(again.code).toBe(0);
    expect(cache()).toBe(first);
    expect(shipped()).toHaveLength(1);
  });

  it('resumes after kill -9 of the supervisor: a trial that finished meanwhile is read from its exit file, a running one is re-attached', async () => {
    const workdir = sshd.remoteDir();
    // Odd trials take 3 steps, even ones 12: at the kill both run; by the resume the first has ended.
    const slow = `import os, time
n = 3 if int(os.environ["NIGHTSHIFT_TRIAL_ID"]) % 2 else 12
for step in range(1, n + 1):
    time.sleep(0.4)
    print(f"step={step} loss={1.0 / step:.4f}", flush=True)
`;
    const yaml = `name: survive
command: python3 slow.py {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
budget: { trials: 2 }
hosts:
  - { name: testhost, slots: 2, workdir: ${workdir} }
`;
    const dir = campaignDir({ 'campaign.yaml': yaml, 'slow.py': slow });
    const out = path.join(dir, '.nightshift', 'survive');
    const env = { ...process.env, HOME: sshd.home, SSH_AUTH_SOCK: '' };
    const run = spawn(process.execPath, [BIN, 'run', 'campaign.yaml', '--headless'], { cwd: dir, env, stdio: 'ignore' });
    const exited = new Promise((r) => run.on('exit', r));
    await waitFor(() => {
      const s = stateOf(out);
      return s.running.length === 2 && allTrials(s).every((t) => t.curve.length >= 1);
    }, 30_000, 'two remote trials running with a curve point each');
    run.kill('SIGKILL');
    await exited;
    const before = stateOf(out);
    expect([...before.running].sort()).toEqual([1, 2]);
    // Trial 1 ends on the host while nobody watches.
    await waitFor(() => sshd.asUser(`cat ${workdir}/survive/1/exit_code 2>/dev/null || true`).trim() === '0', 20_000, 'trial 1 exit file');
    expect(sshd.asUser(`test -f ${workdir}/survive/2/exit_code && echo ended || echo running`).trim()).toBe('running');

    const resumed = cli(['resume', 'campaign.yaml', '--headless'], dir, { HOME: sshd.home, SSH_AUTH_SOCK: '' });
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const evs = events(out);
    expect(evs.filter((e) => e.type === 'trial.started')).toHaveLength(2);
    const after = stateOf(out);
    for (const [id, steps] of [[1, 3], [2, 12]]) {
      const t = allTrials(after).find((x) => x.id === id)!;
      expect(['keep', 'discard']).toContain(t.status);
      expect(t.curve.toArray().map(([step]) => step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
      // The local copy of the log is the host's, byte for byte: nothing fetched twice, nothing skipped.
      expect(fs.readFileSync(path.join(out, 'trials', String(id), 'output.log'), 'utf8')).toBe(sshd.asUser(`cat ${workdir}/survive/${id}/output.log`));
    }
  });

  it('`nightshift hosts` prints a row per host and the problem of each failing one', () => {
    const workdir = sshd.remoteDir();
    const base = campaign(workdir, 1).replace(/hosts:[\s\S]*$/, '');
    const dir = campaignDir({
      'campaign.yaml': `${base}hosts:\n  - { name: testhost, slots: 2, workdir: ${workdir} }\n  - { name: down, host: 127.0.0.1, port: 1, slots: 1 }\n`,
      'dead.yaml': `${base}hosts:\n  - { name: down, host: 127.0.0.1, port: 1, slots: 1 }\n`,
    });
    const env = { HOME: sshd.home, SSH_AUTH_SOCK: '' };
    const r = cli(['hosts', 'campaign.yaml'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [head, good, bad] = r.stdout.split('\n');
    expect(head).toMatch(/^host +address +reachable +latency +GPUs \/ CPUs +python +free disk$/);
    expect(good).toMatch(new RegExp(`^testhost +${sshd.user}@127\\.0\\.0\\.1:${sshd.port} +yes +[\\d.]+ ms +\\d+ CPUs?, load [\\d.]+ +3\\.\\d+\\.\\d+ +[\\d.]+ [MGT]B$`));
    expect(bad).toMatch(/^down +\S+@127\.0\.0\.1:1 +no +- +- +- +-$/);
    expect(r.stdout).toContain('down: nothing accepts connections on 127.0.0.1:1 (sshd not running there, or the wrong port)');
    expect(r.stdout).toContain('1 of 2 hosts usable.');
    const dead = cli(['hosts', 'dead.yaml'], dir, env);
    expect(dead.code).toBe(1);
    expect(dead.stdout).toContain('0 of 1 host usable.');
  });
});
