// A host that fails mid-campaign, through the CLI, with two real hosts: a loopback sshd (`testhost`)
// and one in a network namespace (`gpu2`, test/harness/netns.ts).
// - blackholed (iptables DROP inside its namespace): the keepalive notices within seconds, the host
//   is reported down, after host_grace its trial is lost and re-queued on the other host;
// - blackholed for less than host_grace: its trial is re-attached, not lost, its output whole;
// - crashed (its namespace's init killed, every process gone): lost, re-queued on the other host,
//   and once the host is back its slot runs trials again.
// Trials hold (keep printing steps) while the file `hold` exists in a gate directory both machines
// see (the namespace shares this file system), unless `go-<id>` exists: the test decides when each
// one ends instead of guessing how long things take under load.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, campaignDir, events, stateOf, waitFor } from '../../helpers.js';
import { allTrials, type TrialState } from '../../../src/state.js';
import type { EventOf, NightshiftEvent } from '../../../src/events.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';
import { netnsUnavailable, startNetnsHost, type NetnsHost } from '../../harness/netns.js';

const skip = sshdUnavailable() ?? netnsUnavailable();
if (skip) console.warn(`SSH failover tests skipped: ${skip}`);

const SLOW_PY = `import os, socket, sys, time
gates, tid, on = sys.argv[2], os.environ["NIGHTSHIFT_TRIAL_ID"], socket.gethostname()
held = lambda: os.path.exists(os.path.join(gates, "hold")) and not os.path.exists(os.path.join(gates, "go-" + tid))
step = 0
while step < 4 or (held() and step < 1200):
    step += 1
    time.sleep(0.25)
    print(f"step={step} loss={1.0 / step + abs(float(sys.argv[1])):.4f} on={on}", flush=True)
`;

describe.skipIf(skip)('SSH runner: a host that fails mid-campaign', () => {
  let a: Sshd;
  let b: NetnsHost;
  let run: ChildProcess | null = null;
  let gates: string;
  beforeAll(async () => {
    a = await startSshd();
    b = await startNetnsHost(a, { name: 'gpu2' });
  });
  afterEach(async () => {
    b.unblackhole();
    if (!b.initPid()) await b.restart();
    if (gates) fs.rmSync(path.join(gates, 'hold'), { force: true });
    if (run && run.exitCode === null && run.signalCode === null) run.kill('SIGKILL');
    run = null;
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  /** Starts `nightshift run` on a two-host campaign; trials hold until the test lets them go. */
  function start(name: string, grace: string, trials: number) {
    gates = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-gates-'));
    fs.chmodSync(gates, 0o755);
    fs.writeFileSync(path.join(gates, 'hold'), '');
    const yaml = `name: ${name}
command: python3 slow.py {x} ${gates}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
budget: { trials: ${trials} }
host_grace: ${grace}
hosts:
  - { name: testhost, slots: 1, workdir: ${a.remoteDir()} }
  - { name: gpu2, slots: 1, workdir: ${b.remoteDir()} }
`;
    const dir = campaignDir({ 'campaign.yaml': yaml, 'slow.py': SLOW_PY });
    const out = path.join(dir, '.nightshift', name);
    const child = spawn(process.execPath, [BIN, 'run', 'campaign.yaml', '--headless'], { cwd: dir, env: { ...process.env, HOME: a.home, SSH_AUTH_SOCK: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    run = child;
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const evs = () => events(out);
    const running = (host: string, points = 1) =>
      waitFor(() => allTrials(stateOf(out)).find((t) => t.status === 'running' && t.locator?.host === host && t.curve.length >= points), 60_000, `a trial running on ${host}`);
    const after = (seq: number, pred: (e: NightshiftEvent) => boolean, what: string) => waitFor(() => evs().find((e) => e.seq > seq && pred(e)), 60_000, what);
    const go = (id: number) => fs.writeFileSync(path.join(gates, `go-${id}`), '');
    const release = () => fs.rmSync(path.join(gates, 'hold'), { force: true });
    return { out, exited, evs, running, after, go, release, stdout: () => stdout, stderr: () => stderr };
  }

  const decidedOf = (evs: NightshiftEvent[], id: number) => evs.find((e): e is EventOf<'trial.decided'> => e.type === 'trial.decided' && e.id === id);
  const lastSeq = (evs: NightshiftEvent[]) => evs[evs.length - 1].seq;
  const steps = (t: TrialState) => t.curve.toArray().map(([s]) => s);

  it('blackholed: the keepalive notices within seconds, its trial is lost after host_grace and re-run on the other host', async () => {
    const c = start('blackhole', '2s', 4);
    await c.running('testhost');
    const doomed = await c.running('gpu2');
    const seq = lastSeq(c.evs());
    const t0 = Date.now();
    b.blackhole();
    const down = (await c.after(seq, (e) => e.type === 'host.down' && e.host === 'gpu2', 'gpu2 down')) as EventOf<'host.down'>;
    const detectedMs = down.t - t0;
    expect(down.reason).toMatch(/stopped answering \(no reply to 3 keepalives/);
    expect(detectedMs).toBeLessThan(10_000);
    const lost = (await c.after(seq, (e) => e.type === 'trial.decided' && e.id === doomed.id, 'the doomed trial decided')) as EventOf<'trial.decided'>;
    expect(lost).toMatchObject({ status: 'lost' });
    expect(lost.reason).toMatch(/host gpu2 unreachable for 2 s .*re-queued/);
    c.release();
    expect(await c.exited).toBe(0);
    const s = stateOf(c.out);
    expect(allTrials(s).filter((t) => t.score !== null)).toHaveLength(4);
    const rerun = allTrials(s).find((t) => t.requeue_of === doomed.id)!;
    expect(rerun.locator?.host).toBe('testhost');
    expect(rerun.score).not.toBeNull();
    const rerunStarted = c.evs().find((e) => e.type === 'trial.started' && e.id === rerun.id)!;
    expect(c.stdout()).toMatch(/host gpu2 up: .*1 slot/);
    expect(c.stdout()).toMatch(/host gpu2 lost its connection, reconnecting: gpu2 stopped answering/);
    console.info(`blackhole: host down after ${detectedMs} ms, trial lost after ${lost.t - t0} ms (host_grace 2 s), re-run started on testhost ${rerunStarted.t - t0} ms after the blackhole`);
  });

  it('blackholed for less than host_grace: its trial is re-attached, not lost, and its output has no gap and no repeat', async () => {
    const c = start('comeback', '60s', 2);
    const kept = await c.running('gpu2', 2);
    const seq = lastSeq(c.evs());
    const t0 = Date.now();
    b.blackhole();
    const down = await c.after(seq, (e) => e.type === 'host.down' && e.host === 'gpu2', 'gpu2 down');
    b.unblackhole();
    const t1 = Date.now();
    const up = await c.after(down.seq, (e) => e.type === 'host.up' && e.host === 'gpu2', 'gpu2 up again');
    // Output flows again: more steps than it had when the host came back.
    const had = steps(allTrials(stateOf(c.out)).find((t) => t.id === kept.id)!).length;
    await waitFor(() => allTrials(stateOf(c.out)).find((t) => t.id === kept.id && t.curve.length > had + 2), 30_000, 'more output after the reconnect');
    c.release();
    expect(await c.exited).toBe(0);
    const evs = c.evs();
    expect(evs.filter((e) => e.type === 'trial.decided' && e.status === 'lost')).toEqual([]);
    expect(['keep', 'discard']).toContain(decidedOf(evs, kept.id)?.status);
    const t = allTrials(stateOf(c.out)).find((x) => x.id === kept.id)!;
    const n = steps(t).length;
    expect(steps(t)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    // The local copy is the host's log byte for byte (the namespace shares this file system).
    expect(fs.readFileSync(path.join(c.out, 'trials', String(kept.id), 'output.log'), 'utf8')).toBe(fs.readFileSync(path.join(t.locator!.dir, 'output.log'), 'utf8'));
    expect(allTrials(stateOf(c.out)).some((x) => x.requeue_of !== undefined)).toBe(false);
    console.info(`blackhole shorter than host_grace: down after ${down.t - t0} ms, back up ${up.t - t1} ms after the blackhole was lifted, trial re-attached`);
  });

  it('crashed: its trial is lost after host_grace and re-run on the other host; restarted, its slot runs trials again', async () => {
    const c = start('crash', '2s', 5);
    const other = await c.running('testhost');
    const victim = await c.running('gpu2');
    const seq = lastSeq(c.evs());
    const t0 = Date.now();
    await b.crash();
    const down = await c.after(seq, (e) => e.type === 'host.down' && e.host === 'gpu2', 'gpu2 down');
    const lost = (await c.after(seq, (e) => e.type === 'trial.decided' && e.id === victim.id, 'the crashed trial decided')) as EventOf<'trial.decided'>;
    expect(lost).toMatchObject({ status: 'lost' });
    expect(lost.reason).toMatch(/host gpu2 unreachable for 2 s .*re-queued/);
    // The other host's slot frees up: the lost trial's params run there.
    c.go(other.id);
    const rerun = (await c.after(lost.seq, (e) => e.type === 'trial.started' && e.locator?.host === 'testhost', 'the re-run on testhost')) as EventOf<'trial.started'>;
    expect(allTrials(stateOf(c.out)).find((t) => t.id === rerun.id)?.requeue_of).toBe(victim.id);
    // Back: its slot is used again.
    const t1 = Date.now();
    await b.restart();
    const up = await c.after(lost.seq, (e) => e.type === 'host.up' && e.host === 'gpu2', 'gpu2 up again');
    const again = (await c.after(up.seq, (e) => e.type === 'trial.started' && e.locator?.host === 'gpu2', 'a trial on gpu2 after the restart')) as EventOf<'trial.started'>;
    c.release();
    expect(await c.exited).toBe(0);
    const s = stateOf(c.out);
    expect(allTrials(s).filter((t) => t.score !== null)).toHaveLength(5);
    expect(allTrials(s).find((t) => t.id === again.id)?.score).not.toBeNull();
    expect(c.stdout()).toMatch(/host gpu2 lost its connection, reconnecting: /);
    console.info(`crash: host down after ${down.t - t0} ms, trial lost after ${lost.t - t0} ms (host_grace 2 s), re-run started on testhost ${rerun.t - t0} ms after the crash; restarted: up after ${up.t - t1} ms, next trial on it after ${again.t - t1} ms`);
  });
});
