// A host that stops answering (its sshd port blackholed with iptables DROP) is noticed by the
// keepalive, reported down, and after host_grace its running trials are lost and re-queued on the
// other host; the campaign finishes there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BIN, campaignDir, events, stateOf, waitFor } from '../../helpers.js';
import { allTrials } from '../../../src/state.js';
import type { EventOf } from '../../../src/events.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';

function iptablesUnavailable(): string | undefined {
  const r = spawnSync('iptables', ['-L', 'INPUT', '-n'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `iptables cannot run here (${(r.stderr || r.error?.message || '').trim()}); .ci/run installs it`;
}
const skip = sshdUnavailable() ?? iptablesUnavailable();
if (skip) console.warn(`SSH failover test skipped: ${skip}`);

describe.skipIf(skip)('SSH runner: a blackholed host', () => {
  let a: Sshd;
  let b: Sshd;
  let rule: string[] | null = null;
  beforeAll(async () => {
    [a, b] = await Promise.all([startSshd(), startSshd({ alias: 'other' })]);
    // One client HOME that knows both servers.
    fs.appendFileSync(a.knownHosts, `[127.0.0.1]:${b.port} ${b.hostKey}\n`);
  });
  afterAll(async () => {
    if (rule) spawnSync('iptables', ['-D', ...rule]);
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('is detected by keepalive, its trials are lost after host_grace and re-run on the other host', async () => {
    const wa = a.remoteDir();
    const wb = b.remoteDir();
    const yaml = `name: failover
command: python3 slow.py {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
budget: { trials: 4 }
host_grace: 2s
hosts:
  - { name: good, host: 127.0.0.1, port: ${a.port}, user: ${a.user}, identity_file: ${a.identity}, slots: 1, workdir: ${wa} }
  - { name: doomed, host: 127.0.0.1, port: ${b.port}, user: ${b.user}, identity_file: ${b.identity}, slots: 1, workdir: ${wb} }
`;
    const slow = `import time
for step in range(1, 9):
    time.sleep(0.3)
    print(f"step={step} loss={1.0 / step:.4f}", flush=True)
`;
    const dir = campaignDir({ 'campaign.yaml': yaml, 'slow.py': slow });
    const out = path.join(dir, '.nightshift', 'failover');
    const run = spawn(process.execPath, [BIN, 'run', 'campaign.yaml', '--headless'], { cwd: dir, env: { ...process.env, HOME: a.home, SSH_AUTH_SOCK: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    run.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((r) => run.on('exit', r));
    const onDoomed = await waitFor(() => {
      const s = stateOf(out);
      return allTrials(s).find((t) => t.status === 'running' && t.locator?.host === 'doomed' && t.curve.length >= 1);
    }, 30_000, 'a trial running on the doomed host');
    rule = ['INPUT', '-p', 'tcp', '--dport', String(b.port), '-j', 'DROP'];
    execFileSync('iptables', ['-I', ...rule]);
    const code = await exited;
    expect(code).toBe(0);
    const evs = events(out);
    const down = evs.find((e): e is EventOf<'host.down'> => e.type === 'host.down' && e.host === 'doomed');
    expect(down?.reason).toMatch(/stopped answering \(no reply to 3 keepalives/);
    const lost = evs.find((e): e is EventOf<'trial.decided'> => e.type === 'trial.decided' && e.id === onDoomed.id);
    expect(lost).toMatchObject({ status: 'lost' });
    expect(lost!.reason).toMatch(/host doomed unreachable for 2 s .*re-queued/);
    const s = stateOf(out);
    const scored = allTrials(s).filter((t) => t.score !== null);
    expect(scored).toHaveLength(4);
    // The re-queued params ran again, on the host that answers.
    const rerun = allTrials(s).find((t) => t.requeue_of === onDoomed.id);
    expect(rerun?.locator?.host).toBe('good');
    expect(rerun?.score).not.toBeNull();
    // The headless log says so.
    expect(stdout).toMatch(/host doomed up: .*1 slot/);
    expect(stdout).toMatch(/host doomed lost its connection, reconnecting: doomed stopped answering/);
  });
});
