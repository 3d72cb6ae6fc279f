// Two real hosts, through the CLI: a loopback sshd (`testhost`) and one in its own network namespace
// at 10.77.0.X (`gpu2`, test/harness/netns.ts), both named by ~/.ssh/config aliases as a user's
// would be. A campaign spreads over both; a host reached only through ProxyJump (the loopback host
// as the hop) runs trials; hosts nobody can use fail the campaign with the reason, while one bad
// host among good ones only gets its own error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BIN, campaignDir, cliAsync, events, waitFor, type CliResult } from '../../helpers.js';
import type { EventOf } from '../../../src/events.js';
import { HostConnection } from '../../../runners/ssh/connection.js';
import { resolveTarget } from '../../../runners/ssh/target.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';
import { netnsUnavailable, startNetnsHost, type NetnsHost } from '../../harness/netns.js';

const skip = sshdUnavailable() ?? netnsUnavailable();
if (skip) console.warn(`SSH two-host tests skipped: ${skip}`);

// Prints the machine it runs on: the namespace host's `hostname` is gpu2.
const TRIAL_PY = `import socket, sys, time
x = float(sys.argv[1])
for step in range(1, 4):
    time.sleep(0.3)
    print(f"step={step} loss={(x - 0.3) ** 2 + 1.0 / step:.6f} on={socket.gethostname()}", flush=True)
`;

function campaign(name: string, trials: number, hosts: string): string {
  return `name: ${name}
command: python3 trial.py {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: -1, high: 1 }
budget: { trials: ${trials} }
hosts:
${hosts}`;
}

/** `nightshift ARGS`, killed (and failing the test) if it has not ended within `ms`: a hang must not outlive the test. */
function bounded(args: string[], cwd: string, env: Record<string, string>, ms: number): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${ms} ms)`;
      child.kill('SIGKILL');
    }, ms);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const started = (out: string) => events(out).filter((e): e is EventOf<'trial.started'> => e.type === 'trial.started');

describe.skipIf(skip)('SSH runner: a loopback host and a host in a network namespace', () => {
  let a: Sshd;
  let b: NetnsHost;
  let env: Record<string, string>;
  const ownerRule: string[] = [];
  beforeAll(async () => {
    a = await startSshd();
    b = await startNetnsHost(a, { name: 'gpu2' });
    env = { HOME: a.home, SSH_AUTH_SOCK: '' };
  });
  afterAll(async () => {
    if (ownerRule.length) spawnSync('iptables', ['-D', ...ownerRule]);
    await b?.stop();
    await a?.stop();
  });

  it('spreads a campaign over both hosts: each runs trials, on its own machine, and every trial is scored', async () => {
    const wa = a.remoteDir();
    const wb = b.remoteDir();
    const dir = campaignDir({
      'campaign.yaml': campaign('spread', 6, `  - { name: testhost, slots: 1, workdir: ${wa} }\n  - { name: gpu2, slots: 1, workdir: ${wb} }\n`),
      'trial.py': TRIAL_PY,
    });
    const out = path.join(dir, '.nightshift', 'spread');
    const r = await cliAsync(['run', 'campaign.yaml', '--headless'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const runs = started(out);
    expect(runs).toHaveLength(6);
    const hosts = new Set(runs.map((e) => e.locator!.host));
    expect([...hosts].sort()).toEqual(['gpu2', 'testhost']);
    // Shown as host:slot with the slot numbered on that host (gpu2 has one slot: gpu2:0, not gpu2:1).
    expect(new Set(runs.map((e) => e.host))).toEqual(new Set(['testhost:0', 'gpu2:0']));
    for (const e of runs) {
      const log = fs.readFileSync(path.join(out, 'trials', String(e.id), 'output.log'), 'utf8');
      // The namespace host really is another machine: its own hostname, its own workdir.
      if (e.locator!.host === 'gpu2') {
        expect(log).toContain('on=gpu2');
        expect(e.locator!.dir).toBe(`${wb}/spread/${e.id}`);
      } else {
        expect(log).toContain(`on=${os.hostname()}`);
        expect(e.locator!.dir).toBe(`${wa}/spread/${e.id}`);
      }
    }
    const decided = events(out).filter((e): e is EventOf<'trial.decided'> => e.type === 'trial.decided');
    expect(decided.map((e) => e.status).every((s) => s === 'keep' || s === 'discard')).toBe(true);
    expect(r.stdout).toMatch(/host gpu2 up: nsssh@10\.77\.0\.\d+:22, /);
  });

  it('reaches the namespace host through ProxyJump (the loopback host as the hop) when it cannot be reached directly', async () => {
    fs.appendFileSync(path.join(a.home, '.ssh', 'config'), `Host behind\n  HostName ${b.address}\n  User ${b.user}\n  IdentityFile ${a.identity}\n  ProxyJump ${a.alias}\n`);
    // Our own (root's) packets to the host are refused; the hop's (sshd running as the login user) pass.
    ownerRule.push('OUTPUT', '-d', `${b.address}/32`, '-m', 'owner', '--uid-owner', '0', '-j', 'REJECT');
    execFileSync('iptables', ['-I', ...ownerRule]);
    const wb = b.remoteDir();
    const dir = campaignDir({
      'campaign.yaml': campaign('jump', 2, `  - { name: behind, slots: 1, workdir: ${wb} }\n`),
      'direct.yaml': campaign('direct', 1, `  - { name: gpu2, slots: 1, workdir: ${wb} }\n`),
      'trial.py': TRIAL_PY,
    });
    const table = await cliAsync(['hosts', 'campaign.yaml'], dir, env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`^behind +nsssh@${b.address.replace(/\./g, '\\.')}:22 via testhost +yes `, 'm'));
    const direct = await cliAsync(['hosts', 'direct.yaml'], dir, env);
    expect(direct.code).toBe(1);
    expect(direct.stdout).toContain('0 of 1 host usable.');

    const r = await cliAsync(['run', 'campaign.yaml', '--headless'], dir, env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = path.join(dir, '.nightshift', 'jump');
    expect(started(out).map((e) => e.locator!.host)).toEqual(['behind', 'behind']);
    for (const e of started(out)) expect(fs.readFileSync(path.join(out, 'trials', String(e.id), 'output.log'), 'utf8')).toContain('on=gpu2');

    // A hop that does not answer is named in the reason.
    const broken = resolveTarget({ name: 'behind' }, { acceptNewHostKeys: false, home: a.home });
    expect(broken.proxyJump?.name).toBe(a.alias);
    broken.proxyJump!.port = 1;
    const conn = new HostConnection(broken, undefined, { reconnect: false });
    await expect(conn.ready(10_000)).rejects.toThrow(/through ProxyJump testhost: nothing accepts connections on 127\.0\.0\.1:1/);
    conn.close();
    // Direct connections again for the tests after this one.
    execFileSync('iptables', ['-D', ...ownerRule.splice(0)]);
  });

  it('also fails when a host first does not answer and only then refuses the login (the refusal is reported, not swallowed by the retry)', async () => {
    const dir = campaignDir({
      'late.yaml': campaign('late', 1, `  - { name: nobody-here, host: ${b.address}, user: root, identity_file: ${a.identity}, slots: 1, workdir: ${b.remoteDir()} }\n`),
      'trial.py': TRIAL_PY,
    });
    const out = path.join(dir, '.nightshift', 'late');
    b.blackhole();
    try {
      const run = bounded(['run', 'late.yaml', '--headless'], dir, env, 90_000);
      await waitFor(() => events(out).find((e) => e.type === 'host.down'), 60_000, 'the first failure (no answer)');
      b.unblackhole();
      const r = await run;
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const downs = events(out).filter((e): e is EventOf<'host.down'> => e.type === 'host.down').map((e) => e.reason);
      expect(downs[0]).toMatch(/^no answer from 10\.77\.0\.\d+:22/);
      expect(downs[downs.length - 1]).toMatch(/^login refused for root@/);
      expect(r.stderr).toMatch(/no host can run trials: nobody-here: login refused for root@/);
    } finally {
      b.unblackhole();
    }
  }, 120_000);

  it('fails the campaign with the reason of each host when none can be used; one bad host among good ones only gets its own error', async () => {
    const stray = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ns-key-')), 'id_stray');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stray]);
    const wa = a.remoteDir();
    const wb = b.remoteDir();
    const badKey = `  - { name: badkey, host: 127.0.0.1, port: ${a.port}, user: ${a.user}, identity_file: ${stray}, slots: 1, workdir: ${wa} }\n`;
    const noWorkdir = `  - { name: gpu2, slots: 1, workdir: /root/forbidden/nightshift }\n`;
    const wrongUser = `  - { name: nobody-here, host: ${b.address}, user: root, identity_file: ${a.identity}, slots: 1, workdir: ${wb} }\n`;
    const dir = campaignDir({
      'none.yaml': campaign('none', 2, badKey + noWorkdir + wrongUser),
      'some.yaml': campaign('some', 2, badKey + `  - { name: gpu2, slots: 1, workdir: ${wb} }\n`),
      'trial.py': TRIAL_PY,
    });
    const t0 = Date.now();
    const none = await bounded(['run', 'none.yaml', '--headless'], dir, env, 40_000);
    const took = Date.now() - t0;
    expect(none.code, none.stdout + none.stderr).toBe(1);
    // One paragraph saying what is wrong with each host, no stack trace.
    expect(none.stderr).not.toMatch(/\n\s+at /);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain('`nightshift hosts none.yaml` checks each one');
    const said = none.stdout + none.stderr;
    expect(said).toMatch(/no host can run trials/);
    expect(said).toMatch(/badkey: login refused for nsssh@127\.0\.0\.1: the server accepted none of the keys offered \(identity file \/tmp\/ns-key-\w+\/id_stray\)\./);
    expect(said).toMatch(/gpu2: workdir \/root\/forbidden\/nightshift cannot be created or written by nsssh/);
    expect(said).toMatch(/nobody-here: login refused for root@10\.77\.0\.\d+/);
    expect(took).toBeLessThan(30_000);
    const ev = events(path.join(dir, '.nightshift', 'none'));
    expect(ev.filter((e) => e.type === 'trial.started')).toHaveLength(0);
    expect(ev.find((e) => e.type === 'budget.exhausted')).toMatchObject({ which: 'hosts' });

    const some = await bounded(['run', 'some.yaml', '--headless'], dir, env, 40_000);
    expect(some.stderr).toBe('');
    expect(some.code).toBe(0);
    expect(started(path.join(dir, '.nightshift', 'some')).map((e) => e.locator!.host)).toEqual(['gpu2', 'gpu2']);
    // The bad host's error, said once; nothing about the good one.
    expect(some.stdout.match(/host badkey down: login refused/g)).toHaveLength(1);
    expect(some.stdout).not.toMatch(/host gpu2 down/);
  });
});
