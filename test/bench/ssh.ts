// SSH benchmark, against private OpenSSH servers on 127.0.0.1 started with the test harness
// (test/harness/sshd.ts; needs root, skipped with the reason otherwise). Baselines from the same run:
//  - dispatch: time for runner.start() to hand back a running trial, SSH on an open connection
//    against the local runner, and against a bare exec round trip (what one channel costs);
//  - shipping a 50 MB project: the first time against the second (the host's content-hash cache);
//  - 64 concurrent remote trials across 8 hosts (8 `hosts:` entries over 2 sshds) with the TUI
//    rendering: frame time and the supervisor's CPU share, against the same 64 trials run locally.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import React from 'react';
import { render } from 'ink';
import { App } from '../../components/App.js';
import { ThrottledSnapshots } from '../../components/use-campaign.js';
import { openNew } from '../../src/session.js';
import type { TrialLaunch } from '../../src/runner.js';
import { LocalRunner } from '../../runners/local.js';
import { SshRunner } from '../../runners/ssh/runner.js';
import { startSshd, sshdUnavailable, type Sshd } from '../harness/sshd.js';

const COLUMNS = 140;
const ROWS = 45;

function stats(xs: number[]): { median: number; p90: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { median: at(0.5), p90: at(0.9) };
}
const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');

function launchFor(out: string, cwd: string, id: number, command: string): TrialLaunch {
  const dir = path.join(out, 'trials', String(id));
  return { id, command, cwd, dir, env: { NIGHTSHIFT_TRIAL_DIR: dir, NIGHTSHIFT_CONTROL: path.join(dir, 'control') }, params: {}, files: { 'params.json': '{"x": 1}\n' } };
}

/** runner.start() for n trials back to back on n free slots (each `sleep 2`), then all waited for. */
async function dispatchTimes(runner: LocalRunner | SshRunner, out: string, cwd: string, n: number, firstId: number): Promise<number[]> {
  const times: number[] = [];
  const trials = [];
  for (let i = 0; i < n; i++) {
    const placement = runner.free()[0];
    const t0 = performance.now();
    trials.push(await runner.start(launchFor(out, cwd, firstId + i, 'sleep 2'), placement, () => {}));
    times.push(performance.now() - t0);
  }
  for (const t of trials) {
    await t.done;
    t.release();
  }
  return times;
}

async function dispatch(sshd: Sshd, n: number) {
  const code = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-bench-code-'));
  fs.writeFileSync(path.join(code, 'train.py'), 'print("hi")\n');
  const out = path.join(code, '.nightshift', 'c');
  const local = new LocalRunner(n);
  local.open(() => {});
  const localTimes = await dispatchTimes(local, out, code, n, 1);
  const ssh = new SshRunner({ hosts: [{ name: sshd.alias, slots: Array.from({ length: n }, () => []), workdir: sshd.remoteDir() }], campaign: 'c', workdir: code, outDir: out, graceMs: 60_000, acceptNewHostKeys: false, home: sshd.home });
  ssh.open(() => {});
  if (!(await ssh.hosts[0].waitUsable(30_000))) throw new Error(`the bench sshd did not come up: ${ssh.hosts[0].conn.lastError}`);
  await dispatchTimes(ssh, out, code, 2, 1000); // ships the code, opens the control shell
  const sshTimes = await dispatchTimes(ssh, out, code, n, 2000);
  const execTimes: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await ssh.hosts[0].conn.exec('true');
    execTimes.push(performance.now() - t0);
  }
  ssh.close();
  return { local: stats(localTimes), ssh: stats(sshTimes), exec: stats(execTimes) };
}

async function shipping(sshd: Sshd, mb: number) {
  const code = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-bench-ship-'));
  // Incompressible, in 50 files: what a project with a checkpoint or a small dataset looks like.
  for (let i = 0; i < 50; i++) fs.writeFileSync(path.join(code, `part-${i}.bin`), randomBytes(Math.round((mb * 1024 * 1024) / 50)));
  const workdir = sshd.remoteDir();
  const once = async () => {
    const runner = new SshRunner({ hosts: [{ name: sshd.alias, slots: [[]], workdir }], campaign: 'c', workdir: code, outDir: path.join(code, '.nightshift', 'c'), graceMs: 60_000, acceptNewHostKeys: false, home: sshd.home });
    runner.open(() => {});
    await runner.hosts[0].waitUsable(30_000);
    // The local tar and its hash (every new supervisor), then what crosses the wire (or not).
    const t0 = performance.now();
    await (runner as unknown as { code(): Promise<unknown> }).code();
    const t1 = performance.now();
    const sent = await runner.hosts[0].ship();
    const ms = performance.now() - t1;
    runner.close();
    return { ms, packMs: t1 - t0, sent };
  };
  const first = await once();
  const second = await once();
  fs.rmSync(code, { recursive: true, force: true });
  return { first, second };
}

class FakeStdout extends EventEmitter {
  columns = COLUMNS;
  rows = ROWS;
  isTTY = true;
  write(): boolean {
    return true;
  }
}
class FakeStdin extends EventEmitter {
  isTTY = true;
  isRaw = false;
  setRawMode(v: boolean) {
    this.isRaw = v;
    return this;
  }
  setEncoding() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

const TRIAL_PY = `import sys, time
rate = float(sys.argv[1]); seconds = float(sys.argv[2]); t0 = time.time(); i = 0
while time.time() - t0 < seconds:
    i += 1
    print(f"step={i} loss={1.0 / (1 + i * 0.01):.5f}", flush=True)
    time.sleep(1 / rate)
print("loss: 0.5")
`;

/** 64 trials at once (8 hosts × 8 slots, or 64 local slots), the TUI mounted; CPU share and frames over a steady window. */
async function concurrent(hostsYaml: string | null, env: { home?: string }, seconds: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-bench-64-'));
  fs.writeFileSync(path.join(dir, 'trial.py'), TRIAL_PY);
  const yaml = path.join(dir, 'campaign.yaml');
  fs.writeFileSync(
    yaml,
    `name: bench64
command: python3 trial.py 10 ${seconds + 20}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
budget: { trials: 64 }
${hostsYaml ?? 'parallel: 64'}
`,
  );
  const oldHome = process.env.HOME;
  if (env.home) process.env.HOME = env.home;
  const session = await openNew(yaml, {});
  const frames: number[] = [];
  const source = new ThrottledSnapshots(session.store);
  const inst = render(React.createElement(App, { source, engine: session.engine, pruner: null, onQuit: () => {} }), {
    stdout: new FakeStdout() as unknown as NodeJS.WriteStream,
    stdin: new FakeStdin() as unknown as NodeJS.ReadStream,
    patchConsole: false,
    exitOnCtrlC: false,
    maxFps: 12,
    onRender: ({ renderTime }) => void frames.push(renderTime),
  });
  void session.begin();
  const t0 = Date.now();
  while (session.store.getState().running.length < 64 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 50));
  const rampMs = Date.now() - t0;
  await new Promise((r) => setTimeout(r, 1000));
  const frames0 = frames.length;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wall = performance.now() - wall0;
  const result = {
    running: session.store.getState().running.length,
    rampMs,
    cpuShare: (cpu.user + cpu.system) / 1000 / wall,
    fps: ((frames.length - frames0) / wall) * 1000,
    frame: stats(frames.slice(frames0)),
  };
  inst.unmount();
  source.dispose();
  await session.engine.interrupt(true);
  session.release();
  process.env.HOME = oldHome;
  fs.rmSync(dir, { recursive: true, force: true });
  return result;
}

export async function runSshBench(argv: string[]): Promise<void> {
  console.log(`\n## SSH runner (private sshd on 127.0.0.1, ${os.cpus().length}x ${os.cpus()[0]?.model?.trim()}, load ${os.loadavg()[0].toFixed(1)}, node ${process.version})\n`);
  const skip = sshdUnavailable();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const n = Number(argv[argv.indexOf('--n') + 1]) || 30;
  const seconds = Number(argv[argv.indexOf('--seconds') + 1]) || 8;
  const mb = Number(argv[argv.indexOf('--mb') + 1]) || 50;
  process.env.SSH_AUTH_SOCK = '';
  const a = await startSshd({ alias: 'bench-a' });
  const b = await startSshd({ alias: 'bench-b' });
  try {
    const d = await dispatch(a, n);
    console.log('| measure | baseline | SSH | ratio |');
    console.log('| --- | --- | --- | --- |');
    console.log(`| trial dispatch (runner.start), median / p90 ms, ${n} trials | ${f(d.local.median, 2)} / ${f(d.local.p90, 2)} (local runner) | ${f(d.ssh.median, 2)} / ${f(d.ssh.p90, 2)} | ${f(d.ssh.median / d.local.median, 2)}× |`);
    console.log(`| SSH dispatch minus local, median ms (target < 10) | — | ${f(d.ssh.median - d.local.median, 2)} | |`);
    console.log(`| one plain exec round trip (\`true\`), median ms | — | ${f(d.exec.median, 2)} | dispatch ${f(d.ssh.median / d.exec.median, 2)}× an exec |`);
    const s = await shipping(a, mb);
    console.log(`| ship a ${mb} MB project, ms | ${f(s.second.ms)} (second time: cached${s.second.sent ? ' — NOT cached!' : ''}) | ${f(s.first.ms)} (first time) | ${f(s.first.ms / s.second.ms, 0)}× |`);
    console.log(`| … packing it locally (tar + sha256, each new supervisor), ms | — | ${f(s.first.packMs)} / ${f(s.second.packMs)} | |`);
    // 8 host entries over the 2 servers, each its own connection; known_hosts for both in a's HOME.
    fs.appendFileSync(a.knownHosts, `[127.0.0.1]:${b.port} ${b.hostKey}\n`);
    const entries = Array.from({ length: 8 }, (_, i) => {
      const srv = i % 2 ? b : a;
      return `  - { name: h${i + 1}, host: 127.0.0.1, port: ${srv.port}, user: ${srv.user}, identity_file: ${srv.identity}, slots: 8, workdir: ${srv.remoteDir()} }`;
    });
    const local = await concurrent(null, {}, seconds);
    const remote = await concurrent(`hosts:\n${entries.join('\n')}`, { home: a.home }, seconds);
    console.log(`| 64 trials × 10 lines/s, TUI on: supervisor CPU share | ${f(local.cpuShare * 100)} % (64 local slots) | ${f(remote.cpuShare * 100)} % (8 hosts × 8 slots) | ${f(remote.cpuShare / local.cpuShare, 2)}× |`);
    console.log(`| … render time per frame, median / p90 ms | ${f(local.frame.median, 2)} / ${f(local.frame.p90, 2)} | ${f(remote.frame.median, 2)} / ${f(remote.frame.p90, 2)} | |`);
    console.log(`| … frames per second (maxFps 12) | ${f(local.fps)} | ${f(remote.fps)} | |`);
    console.log(`| … trials running in the window / time to start all 64, ms | ${local.running} / ${local.rampMs} | ${remote.running} / ${remote.rampMs} | |`);
  } finally {
    await a.stop();
    await b.stop();
  }
}
