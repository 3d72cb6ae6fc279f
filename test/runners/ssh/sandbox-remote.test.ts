// The sandbox on an SSH host that has bwrap (issue 11), through the real CLI and a real sshd: a
// campaign with `sandbox: { trials: all }` and a hosts: entry. Trial 1 cheats on the host: it
// connects to a listener this test opened on 127.0.0.1, writes into the host's shared code cache
// and the login home, edits a frozen file, forges its exit_code, pid and limit_reason files, then fails; trial 2
// behaves, looks for trial 1's directory, and is scored as usual.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SandboxSpec, TrialLaunch } from '../../../src/runner.js';
import { SshRunner } from '../../../runners/ssh/runner.js';
import { campaignDir, cli, events, stateOf } from '../../helpers.js';
import { allTrials } from '../../../src/state.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';

const skip = sshdUnavailable() ?? (fs.existsSync('/usr/bin/bwrap') ? undefined : 'no /usr/bin/bwrap (apt-get install bubblewrap)');
if (skip) console.warn(`SSH sandbox tests skipped: ${skip}`);

// Every attempt prints name=done or name=blocked; trial 1 then exits 3 after writing 0 as its exit code.
const TRIAL_PY = `import os, socket, sys
D = os.environ["NIGHTSHIFT_TRIAL_DIR"]
C = os.path.dirname(D)
W = os.path.dirname(C)
me = os.environ["NIGHTSHIFT_TRIAL_ID"]
def attempt(name, fn):
    try:
        fn()
        print(f"{name}=done", flush=True)
    except Exception as e:
        print(f"{name}=blocked ({type(e).__name__})", flush=True)
def write(p, text="x", mode="w"):
    with open(p, mode) as f:
        f.write(text)
attempt("own", lambda: write(os.path.join(D, "mine")))
attempt("cwd", lambda: write("scratch.txt"))
if me == "1":
    attempt("net", lambda: socket.create_connection(("127.0.0.1", int(sys.argv[1])), 3).close())
    attempt("cache", lambda: write(os.path.join(W, ".nightshift-cache", "evil")))
    attempt("cachelog", lambda: write(os.path.join(W, ".nightshift-cache", "shipped.log"), "forged\\n", "a"))
    attempt("home", lambda: write(os.path.expanduser("~/evil")))
    attempt("frozen", lambda: write("evaluate.py", "# edited\\n", "a"))
    attempt("exitcode", lambda: write(os.path.join(D, "exit_code"), "0\\n"))
    attempt("pid", lambda: write(os.path.join(D, "pid"), "1 1\\n"))
    attempt("limit", lambda: write(os.path.join(D, "limit_reason"), "out of memory limit (forged)\\n"))
    sys.exit(3)
print("others=" + ",".join(sorted(os.listdir(C))), flush=True)
attempt("peek", lambda: open(os.path.join(C, "1", "output.log")).read())
write(os.path.join(D, "score"), "loss: 0.25\\n")
`;

describe.skipIf(skip)('SSH runner: sandboxed trials on a host with bwrap (real sshd)', () => {
  let sshd: Sshd;
  let listener: net.Server;
  let port = 0;
  let connections = 0;
  beforeAll(async () => {
    sshd = await startSshd();
    listener = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    port = (listener.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    listener?.close();
    await sshd?.stop();
  });

  it('keeps a cheating trial inside its trial directory and scores a behaving one normally', async () => {
    const workdir = sshd.remoteDir();
    // The listener is reachable from the host outside the sandbox (the check below is not vacuous).
    expect(sshd.asUser(`python3 -c "import socket; socket.create_connection(('127.0.0.1', ${port}), 3).close(); print('ok')"`).trim()).toBe('ok');
    await new Promise((r) => setTimeout(r, 50));
    const before = connections;
    const dir = campaignDir({
      'campaign.yaml': `name: remote
command: python3 trial.py ${port} {x}
metric: { name: loss, goal: minimize }
space:
  x: { type: float, low: 0, high: 1 }
budget: { trials: 2 }
evaluate: cat "$NIGHTSHIFT_TRIAL_DIR/score"
frozen: [evaluate.py]
sandbox: { trials: all }
hosts:
  - { name: testhost, slots: 1, workdir: ${workdir} }
`,
      'trial.py': TRIAL_PY,
      'evaluate.py': 'print("frozen")\n',
    });
    const out = path.join(dir, '.nightshift', 'remote');
    const r = cli(['run', 'campaign.yaml', '--headless'], dir, { HOME: sshd.home, SSH_AUTH_SOCK: '' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const log = (id: number) => fs.readFileSync(path.join(out, 'trials', String(id), 'output.log'), 'utf8');
    const started = events(out).filter((e) => e.type === 'trial.started');
    expect(started.map((e) => (e as { sandboxed?: boolean }).sandboxed)).toEqual([true, true]);

    // Trial 1: every escape blocked, its own files written, its forged exit code ignored.
    const l1 = log(1);
    for (const ok of ['own', 'cwd']) expect(l1).toContain(`${ok}=done`);
    for (const no of ['net', 'cache', 'cachelog', 'home', 'frozen', 'exitcode', 'pid', 'limit']) expect(l1).toMatch(new RegExp(`^${no}=blocked`, 'm'));
    await new Promise((r) => setTimeout(r, 50));
    expect(connections).toBe(before);
    const t1 = allTrials(stateOf(out)).find((t) => t.id === 1)!;
    expect(t1.status).toBe('crash');
    expect(t1.reason).not.toContain('forged');
    const remote = `${workdir}/remote/1`;
    expect(sshd.asUser(`cat ${remote}/exit_code`).trim()).toBe('3');
    expect(sshd.asUser(`cat ${remote}/pid`)).toMatch(/^\d+ \d+\n$/);
    expect(sshd.asUser(`cat ${remote}/pid`)).not.toBe('1 1\n');
    expect(sshd.asUser(`ls -a ${workdir}/.nightshift-cache; ls -a ~`)).not.toContain('evil');
    expect(sshd.asUser(`cat ${workdir}/.nightshift-cache/shipped.log`)).not.toContain('forged');
    expect(sshd.asUser(`cat ${workdir}/.nightshift-cache/*/evaluate.py`)).toBe('print("frozen")\n');

    // Trial 2: the other trials' directories are hidden; it is scored from what it wrote.
    const l2 = log(2);
    expect(l2).toContain('others=2\n');
    expect(l2).toMatch(/^peek=blocked/m);
    const t2 = allTrials(stateOf(out)).find((t) => t.id === 2)!;
    expect(t2.status).toBe('keep');
    expect(t2.score).toBeCloseTo(0.25, 6);
  });
});

// How a sandboxed trial ends on a host, as the local runner reads it: a limit that ended it is
// named (limit_reason), and a bwrap that fails to set up is a sandbox error, never a bare run.
describe.skipIf(skip)('SSH runner: a sandboxed trial\'s exit read on the host (real sshd)', () => {
  let sshd: Sshd;
  let code: string;
  const runners: SshRunner[] = [];
  beforeAll(async () => {
    process.env.SSH_AUTH_SOCK = '';
    // A directory first on the login user's PATH: empty (the real bwrap) until a test puts a fake there.
    sshd = await startSshd({ pathFirst: true });
    code = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-code-'));
  });
  afterAll(async () => {
    for (const r of runners) r.close();
    await sshd?.stop();
  });

  async function run(command: string, spec: Partial<SandboxSpec> = {}) {
    const out = path.join(code, '.nightshift', `c${runners.length}`);
    const runner = new SshRunner({ hosts: [{ name: sshd.alias, slots: [[]], workdir: sshd.remoteDir() }], campaign: 'c', workdir: code, outDir: out, graceMs: 60_000, acceptNewHostKeys: false, home: sshd.home });
    runners.push(runner);
    runner.open(() => {});
    expect(await runner.hosts[0].waitUsable(15_000)).toBe(true);
    const dir = path.join(out, 'trials', '1');
    const launch: TrialLaunch = { id: 1, command, cwd: code, dir, env: { NIGHTSHIFT_TRIAL_DIR: dir }, params: {}, files: {}, sandbox: { network: false, hide: [], readOnly: [], hidePaths: [out], ...spec } };
    const lines: string[] = [];
    const trial = await runner.start(launch, runner.free()[0], (l) => lines.push(l));
    const exit = await trial.done;
    trial.release();
    return { exit, lines, remote: trial.locator.dir };
  }

  it('names the limit that ended the trial (limit_reason on the host)', async () => {
    const { exit } = await run('python3 -c "bytearray(1024 * 2**20)"', { memoryBytes: 256 * 2 ** 20 });
    expect(exit.code).not.toBe(0);
    expect(exit.limit).toMatch(/^out of memory limit \(256m/);
    expect(exit.sandboxError).toBeUndefined();
  });

  it('reports a bwrap that fails to set up as a sandbox error; the command never runs', async () => {
    // Passes the host's probe, fails the real run the way a mount it cannot make does.
    const fake = path.join(sshd.binDir!, 'bwrap');
    fs.writeFileSync(fake, `#!/bin/sh\ncase "$*" in *json-status-fd*) echo "bwrap: Can't mount tmpfs on /newroot/run: Operation not permitted" >&2; exit 1;; esac\nexec /usr/bin/bwrap "$@"\n`, { mode: 0o755 });
    try {
      const { exit, lines, remote } = await run('echo ran > "$NIGHTSHIFT_TRIAL_DIR/ran"; echo ran');
      expect(exit.code).toBe(1);
      expect(exit.sandboxError).toBe("bwrap: Can't mount tmpfs on /newroot/run: Operation not permitted");
      expect(lines).not.toContain('ran');
      expect(sshd.asUser(`test -e ${remote}/ran && echo ran || echo not`).trim()).toBe('not');
    } finally {
      fs.rmSync(fake);
    }
  });

  it('a trial that simply fails is its own exit, with no sandbox error or limit', async () => {
    const { exit, lines } = await run('echo "bwrap: not me"; exit 1');
    expect(exit).toEqual({ code: 1, signal: null });
    expect(lines).toEqual(['bwrap: not me']);
  });
});
