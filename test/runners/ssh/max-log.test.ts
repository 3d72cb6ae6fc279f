// max_log on an SSH host: a trial flooding its output past the cap leaves a capped output.log on
// the host (start and end kept, the middle dropped with a marker, as the local runner does), the
// local mirror stays the host's file byte for byte, and the supervisor stays responsive meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrialLaunch } from '../../../src/runner.js';
import { SshRunner } from '../../../runners/ssh/runner.js';
import { POLL_SCRIPT, parsePoll, shCommand } from '../../../runners/ssh/remote.js';
import { capMirror } from '../../../runners/ssh/log-cap.js';
import { formatBytes } from '../../../runners/logtail.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';

const skip = sshdUnavailable();
if (skip) console.warn(`SSH max_log tests skipped: ${skip}`);

describe.skipIf(skip)('max_log on a real sshd', () => {
  let sshd: Sshd;
  let runner: SshRunner;
  let code: string;
  let out: string;
  beforeAll(async () => {
    process.env.SSH_AUTH_SOCK = '';
    sshd = await startSshd();
    code = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-code-'));
    out = path.join(code, '.nightshift', 'c');
    runner = new SshRunner({ hosts: [{ name: sshd.alias, slots: [[]], workdir: sshd.remoteDir() }], campaign: 'c', workdir: code, outDir: out, graceMs: 60_000, acceptNewHostKeys: false, home: sshd.home });
    runner.open(() => {});
    expect(await runner.hosts[0].waitUsable(15_000)).toBe(true);
  });
  afterAll(async () => {
    runner?.close();
    await sshd?.stop();
  });

  it('caps a flooding trial\'s log on the host: start and end kept, the middle dropped, the run responsive', async () => {
    const maxLog = 64 * 1024;
    const dir = path.join(out, 'trials', '1');
    const launch: TrialLaunch = {
      id: 1,
      // Seconds of `yes` at full speed: gigabytes without a cap.
      // (A pause before the last line: what a trial writes during the few ms a cap takes on the
      // host is lost with the middle, as locally during its microseconds.)
      command: 'echo FIRST; timeout 3 yes flood-flood-flood-flood; sleep 0.3; echo; echo LAST',
      cwd: code,
      dir,
      env: { NIGHTSHIFT_TRIAL_DIR: dir },
      params: {},
      files: {},
      maxLogBytes: maxLog,
    };
    const lines: string[] = [];
    let worstGap = 0;
    let last = Date.now();
    const ticker = setInterval(() => {
      worstGap = Math.max(worstGap, Date.now() - last);
      last = Date.now();
    }, 20);
    const trial = await runner.start(launch, runner.free()[0], (l) => lines.push(l));
    const exit = await trial.done;
    clearInterval(ticker);
    expect(exit).toEqual({ code: 0, signal: null });
    const host = sshd.asUser(`cat ${trial.locator.dir}/output.log`);
    // Within the cap (plus what a trial writes between two polls, none once it has ended).
    expect(host.length).toBeLessThanOrEqual(maxLog);
    expect(host.startsWith('FIRST\nflood-flood-flood-flood\n')).toBe(true);
    // (yes is killed mid-write, so its last line may be cut: the echo ends it.)
    expect(host).toMatch(/flood-flood-flood-flood\n(f[a-z-]*)?\nLAST\n$/);
    const m = /\n\[nightshift\] output\.log passed max_log 64KB, (\d+) bytes dropped here; the newest output follows\n/.exec(host);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(10 * maxLog);
    // The start up to the marker is whole flood lines (the last one cut where the head ends).
    const head = host.slice(0, m!.index).split('\n').slice(1);
    expect(head.slice(0, -1).every((l) => l === 'flood-flood-flood-flood')).toBe(true);
    expect('flood-flood-flood-flood'.startsWith(head[head.length - 1])).toBe(true);
    // The local mirror is the host's file, byte for byte; the lines came through, ending with LAST.
    expect(fs.readFileSync(path.join(dir, 'output.log'), 'utf8')).toBe(host);
    expect(lines[0]).toBe('FIRST');
    expect(lines[lines.length - 1]).toBe('LAST');
    expect(lines.some((l) => l.includes('bytes dropped here'))).toBe(true);
    // The event loop never stalled for long (a generous bound: this is not a timing test).
    expect(worstGap).toBeLessThan(2000);
    trial.release();
  }, 60_000);

  it('replays a cap whose answer was lost: the mirror ends as the host\'s file, byte for byte, from any offset', async () => {
    const host = runner.hosts[0];
    const remote = `${host.workdir}/replay`;
    const text = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const maxLog = 4096;
    await host.conn.exec(shCommand('mkdir -p "$1" && cat > "$1/output.log"', [remote]), { stdin: Buffer.from(text) });
    const poll = async (offset: number, dropped: number) => parsePoll((await host.conn.exec(shCommand(POLL_SCRIPT, [remote, String(offset), '0', String(maxLog), formatBytes(maxLog), String(dropped)]))).stdout, 1)[0];
    // The supervisor that saw nothing yet (offset 100): the cap comes back with the bytes after it.
    const first = await poll(100, 0);
    expect(first.caps).toHaveLength(1);
    const onHost = sshd.asUser(`cat ${remote}/output.log`);
    expect(onHost.length).toBeLessThanOrEqual(maxLog);
    expect(onHost).toContain(`bytes dropped here`);
    expect(onHost.endsWith('line 1999\n')).toBe(true);
    // Supervisors at other offsets whose poll answer was lost: the cap is replayed from output.caps.
    for (const offset of [0, 100, 3000, text.length - 500, text.length]) {
      const r = offset === 100 ? first : await poll(offset, 0);
      expect(r.caps).toEqual(first.caps);
      const mirror = path.join(out, `mirror-${offset}`);
      fs.writeFileSync(mirror, text.slice(0, offset));
      const at = capMirror(mirror, offset, r.caps[0], maxLog);
      // Below the cap's head the mirror is untouched and the bytes that came with the cap follow on.
      const rest = at === offset ? r : await poll(at, r.caps[0].dropped);
      if (rest !== r) expect(rest.caps).toEqual([]);
      fs.appendFileSync(mirror, rest.bytes);
      expect(fs.readFileSync(mirror, 'utf8')).toBe(onHost);
    }
  });
});
