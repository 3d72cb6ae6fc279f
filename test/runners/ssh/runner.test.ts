// The SSH runner against a real OpenSSH server (test/harness/sshd.ts), no mocks: a dropped
// connection does not stop a trial and its output continues without a gap or a repeat; cancel
// reaches the whole remote process group (checked with ps on the host); host keys are checked
// against known_hosts (refused with what to run, or trusted on first use when asked). ProxyJump is
// in two-hosts.test.ts (through this host to one in a network namespace).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../../helpers.js';
import type { HostEvent, TrialLaunch } from '../../../src/runner.js';
import { SshRunner } from '../../../runners/ssh/runner.js';
import { HostConnection } from '../../../runners/ssh/connection.js';
import type { Target } from '../../../runners/ssh/target.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';

const skip = sshdUnavailable();
if (skip) console.warn(`SSH runner tests skipped: ${skip}`);

describe.skipIf(skip)('SSH runner on a real sshd', () => {
  let sshd: Sshd;
  let runner: SshRunner;
  let out: string;
  let code: string;
  const hostEvents: HostEvent[] = [];
  beforeAll(async () => {
    process.env.SSH_AUTH_SOCK = '';
    sshd = await startSshd();
    code = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-code-'));
    fs.writeFileSync(path.join(code, 'hello.txt'), 'shipped\n');
    out = path.join(code, '.nightshift', 'c');
    runner = new SshRunner({
      hosts: [{ name: sshd.alias, slots: [[], [], []], workdir: sshd.remoteDir() }],
      campaign: 'c',
      workdir: code,
      outDir: out,
      graceMs: 60_000,
      acceptNewHostKeys: false,
      home: sshd.home,
    });
    runner.open((e) => hostEvents.push(e));
    expect(await runner.hosts[0].waitUsable(15_000)).toBe(true);
  });
  afterAll(async () => {
    runner?.close();
    await sshd?.stop();
  });

  let nextId = 1;
  function launch(command: string): TrialLaunch {
    const id = nextId++;
    const dir = path.join(out, 'trials', String(id));
    return { id, command, cwd: code, dir, env: { NIGHTSHIFT_TRIAL_DIR: dir, NIGHTSHIFT_CONTROL: path.join(dir, 'control') }, params: {}, files: { 'params.json': '{}\n' } };
  }
  /** Live (not zombie) processes of a process group, as ps on the host lists them. */
  const groupOnHost = (pgid: number) =>
    sshd.asUser('ps -u nsssh -o pgid=,stat=,pid=,cmd=').split('\n').filter((l) => {
      const [g, stat] = l.trim().split(/\s+/);
      return g === String(pgid) && !stat.startsWith('Z');
    });

  it('keeps a trial running through a dropped connection; its output continues with no gap and no repeat', async () => {
    const lines: string[] = [];
    const trial = await runner.start(launch('cat hello.txt; for i in $(seq 1 40); do echo "line $i"; sleep 0.05; done'), runner.free()[0], (l) => lines.push(l));
    expect(trial.locator).toMatchObject({ runner: 'ssh', host: sshd.alias });
    await waitFor(() => lines.length >= 5, 20_000, 'five lines');
    runner.hosts[0].conn.dropSocket();
    const exit = await trial.done;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(lines).toEqual(['shipped', ...Array.from({ length: 40 }, (_, i) => `line ${i + 1}`)]);
    // The host saw it through: one run, whole log; the supervisor saw the host go and come back.
    expect(sshd.asUser(`cat ${trial.locator.dir}/output.log`).split('\n').filter(Boolean)).toHaveLength(41);
    expect(hostEvents.map((e) => e.type)).toEqual(['host.up', 'host.down', 'host.up']);
    // The drop of a working host reads as reconnecting on the hosts line, with its slots.
    expect(hostEvents[1]).toMatchObject({ slots: 3, remote: true, reconnecting: true });
    expect(fs.readFileSync(path.join(out, 'trials', String(trial.id), 'output.log'), 'utf8')).toBe(sshd.asUser(`cat ${trial.locator.dir}/output.log`));
    trial.release();
  });

  it('stops the whole remote process group: control file and SIGTERM, then SIGKILL after the grace', async () => {
    const lines: string[] = [];
    const coop = await runner.start(launch('sleep 61 & echo started; exec sleep 60'), runner.free()[0], (l) => lines.push(l));
    await waitFor(() => lines.includes('started'), 20_000, 'started');
    expect(groupOnHost(coop.locator.pid).length).toBeGreaterThanOrEqual(3);
    // `exec sleep 60`: the status is that sleep's death by SIGTERM. A shell's bare `wait` instead
    // returned 0 or 143 depending on whether its children were reaped before the trap ran.
    await coop.cancel('stop', 5000);
    expect(groupOnHost(coop.locator.pid)).toEqual([]);
    expect(sshd.asUser(`cat ${coop.locator.dir}/control`).trim()).toBe('stop');
    expect((await coop.done).code).toBe(143);
    coop.release();

    // Deaf to SIGTERM (inherited ignore): only the SIGKILL after the grace ends it.
    const deaf = await runner.start(launch("trap '' TERM; sleep 60 & echo started; wait"), runner.free()[0], (l) => lines.push(l));
    await waitFor(() => lines.filter((l) => l === 'started').length === 2, 20_000, 'second start');
    const t0 = Date.now();
    await deaf.cancel('prune', 800);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(groupOnHost(deaf.locator.pid)).toEqual([]);
    expect(await deaf.done).toMatchObject({ code: null, vanished: true });
    deaf.release();
  });

  it('runs the evaluator on the host and reads a finished trial\'s tail there', async () => {
    const trial = await runner.start(launch('echo "loss: 0.25" > "$NIGHTSHIFT_TRIAL_DIR/score"; echo done'), runner.free()[0], () => {});
    await trial.done;
    const r = await runner.exec(trial.locator, { command: 'cat "$NIGHTSHIFT_TRIAL_DIR/score"; echo oops >&2', cwd: code, env: { NIGHTSHIFT_TRIAL_DIR: trial.locator.dir }, logName: 'evaluate.log', timeoutMs: 10_000, killGraceMs: 1000 });
    expect(r).toMatchObject({ ok: true, code: 0, stdout: 'loss: 0.25\n', timedOut: false });
    expect(sshd.asUser(`cat ${trial.locator.dir}/evaluate.log`)).toBe('oops\nloss: 0.25\n');
    expect(await runner.tail(trial.locator, 5)).toEqual(['done']);
    const slow = await runner.exec(trial.locator, { command: 'sleep 30', cwd: code, env: {}, logName: 'slow.log', timeoutMs: 1000, killGraceMs: 1000 });
    expect(slow).toMatchObject({ ok: true, timedOut: true });
    trial.release();
  });
});

describe.skipIf(skip)('host keys on a real sshd', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    process.env.SSH_AUTH_SOCK = '';
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  const target = (knownHosts: string, accept: boolean): Target => ({
    name: 'h', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.identity], knownHostsFiles: [knownHosts], acceptNewHostKeys: accept,
  });
  const connect = async (t: Target) => {
    const conn = new HostConnection(t, undefined, { reconnect: false });
    try {
      await conn.ready(10_000);
      return 'connected';
    } catch (err) {
      return (err as Error).message;
    } finally {
      conn.close();
    }
  };

  it('refuses an unknown key with what to run, trusts it on first use only when asked, and refuses a changed one', async () => {
    const kh = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ns-kh-')), 'known_hosts');
    const refused = await connect(target(kh, false));
    expect(refused).toContain(`not in ${kh}`);
    expect(refused).toContain(`\`ssh -p ${sshd.port} ${sshd.user}@127.0.0.1\``);
    expect(refused).toContain('accept_new_host_keys: true');
    expect(fs.existsSync(kh)).toBe(false);
    expect(await connect(target(kh, true))).toBe('connected');
    expect(fs.readFileSync(kh, 'utf8')).toBe(`[127.0.0.1]:${sshd.port} ${sshd.hostKey}\n`);
    expect(await connect(target(kh, false))).toBe('connected');
    // Hashed by ssh-keygen itself: still recognised.
    execFileSync('ssh-keygen', ['-q', '-H', '-f', kh], { stdio: 'ignore' });
    expect(fs.readFileSync(kh, 'utf8')).toMatch(/^\|1\|/);
    expect(await connect(target(kh, false))).toBe('connected');
    // Another key of the same type under that name: changed, and TOFU does not paper over it.
    const otherKey = path.join(path.dirname(kh), 'other');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    fs.writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${fs.readFileSync(otherKey + '.pub', 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    const changed = await connect(target(kh, true));
    expect(changed).toContain('CHANGED');
    expect(changed).toContain(`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f ${kh}`);
  });
});
