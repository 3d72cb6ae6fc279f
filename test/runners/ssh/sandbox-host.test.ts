// The sandbox on an SSH host (issue 11): a trial that must run sandboxed refuses a host where bwrap
// does not work, saying what to install there, unless the host's entry says `sandbox: none` (then it
// runs bare and a host warning, journaled, says so). The host here has no bwrap on the login user's
// PATH: that PATH is a directory of links to every tool but bwrap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostEvent, SandboxSpec, TrialLaunch } from '../../../src/runner.js';
import { SshRunner } from '../../../runners/ssh/runner.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';

const skip = sshdUnavailable();
if (skip) console.warn(`SSH sandbox tests skipped: ${skip}`);

const SANDBOX: SandboxSpec = { network: false, hide: [], readOnly: [], hidePaths: [] };

describe.skipIf(skip)('the sandbox on a host without bwrap (real sshd)', () => {
  let sshd: Sshd;
  let code: string;
  const runners: SshRunner[] = [];
  beforeAll(async () => {
    process.env.SSH_AUTH_SOCK = '';
    sshd = await startSshd({ pathFirst: true, pathOnly: true });
    for (const tool of fs.readdirSync('/usr/bin')) if (tool !== 'bwrap') fs.symlinkSync(path.join('/usr/bin', tool), path.join(sshd.binDir!, tool));
    code = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-code-'));
  });
  afterAll(async () => {
    for (const r of runners) r.close();
    await sshd?.stop();
  });

  async function runnerFor(sandbox?: 'none') {
    const events: HostEvent[] = [];
    const out = path.join(code, '.nightshift', `c${runners.length}`);
    const runner = new SshRunner({ hosts: [{ name: sshd.alias, slots: [[]], workdir: sshd.remoteDir(), sandbox }], campaign: 'c', workdir: code, outDir: out, graceMs: 60_000, acceptNewHostKeys: false, home: sshd.home });
    runners.push(runner);
    runner.open((e) => events.push(e));
    expect(await runner.hosts[0].waitUsable(15_000)).toBe(true);
    const launch = (): TrialLaunch => {
      const dir = path.join(out, 'trials', '1');
      return { id: 1, command: 'echo ran > "$NIGHTSHIFT_TRIAL_DIR/ran"; echo ran', cwd: code, dir, env: { NIGHTSHIFT_TRIAL_DIR: dir }, params: {}, files: {}, sandbox: SANDBOX };
    };
    return { runner, events, launch, out };
  }

  it('refuses a sandboxed trial with what to install; the command never runs', async () => {
    const { runner, launch, out } = await runnerFor();
    const lines: string[] = [];
    const trial = await runner.start(launch(), runner.free()[0], (l) => lines.push(l));
    const exit = await trial.done;
    expect(exit.sandboxError).toBe(`bwrap (bubblewrap) is not installed on ${sshd.alias}, and this trial must run sandboxed: install it there (apt-get install bubblewrap on ${sshd.alias}), or write sandbox: none in that host's hosts: entry to run its trials without the sandbox`);
    expect(exit.code).not.toBe(0);
    expect(lines).not.toContain('ran');
    expect(fs.readFileSync(path.join(out, 'trials', '1', 'output.log'), 'utf8')).toContain('apt-get install bubblewrap');
    expect(sshd.asUser(`test -e ${trial.locator.dir}/ran && echo ran || echo not`).trim()).toBe('not');
    trial.release();
  });

  it('runs it bare where the host entry says sandbox: none, and says so in a host warning', async () => {
    const { runner, events, launch } = await runnerFor('none');
    const lines: string[] = [];
    const trial = await runner.start(launch(), runner.free()[0], (l) => lines.push(l));
    expect(await trial.done).toEqual({ code: 0, signal: null });
    expect(lines).toEqual(['ran']);
    expect(events.find((e) => e.type === 'host.warning')).toEqual({
      type: 'host.warning',
      host: sshd.alias,
      reason: `trial 1 runs without the sandbox on ${sshd.alias} (no working bwrap there: not installed; its hosts: entry says sandbox: none)`,
    });
    trial.release();
  });
});
