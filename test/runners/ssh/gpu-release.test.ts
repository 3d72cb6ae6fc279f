// On a GPU host, after a stop is confirmed (the trial's process group is gone), nightshift asks
// nvidia-smi whether a process still holds the trial's GPU, and says so as a host warning: a
// process of the trial that left its group (setsid) and keeps the GPU would starve the next trial
// in that slot. The host's nvidia-smi here is a fake placed first on the remote user's PATH, listing
// GPUs and compute apps from files this test writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { waitFor } from '../../helpers.js';
import type { HostEvent, TrialLaunch } from '../../../src/runner.js';
import { SshRunner } from '../../../runners/ssh/runner.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';

const skip = sshdUnavailable();
if (skip) console.warn(`SSH GPU release tests skipped: ${skip}`);

describe.skipIf(skip)('GPU released after a stop, on a real sshd with a fake nvidia-smi', () => {
  let sshd: Sshd;
  let runner: SshRunner;
  let code: string;
  let out: string;
  let fake: string;
  const events: HostEvent[] = [];
  beforeAll(async () => {
    process.env.SSH_AUTH_SOCK = '';
    sshd = await startSshd({ pathFirst: true });
    fake = sshd.binDir!;
    // Lists one GPU, and the compute apps (pid, gpu_uuid) from a file next to it.
    fs.writeFileSync(path.join(fake, 'nvidia-smi'), `#!/bin/sh
case "$*" in
  *--query-compute-apps*) cat ${fake}/apps 2>/dev/null ;;
  *--query-gpu=index,uuid*) echo "0, GPU-fake-0" ;;
  *--query-gpu*) echo "0, Fake GPU 16GB, 550.54, 16384, 0, 0" ;;
esac
`, { mode: 0o755 });
    fs.writeFileSync(path.join(fake, 'apps'), '', { mode: 0o666 });
    fs.chmodSync(path.join(fake, 'apps'), 0o666);
    code = fs.mkdtempSync(path.join(os.tmpdir(), 'ns-code-'));
    out = path.join(code, '.nightshift', 'c');
    runner = new SshRunner({ hosts: [{ name: sshd.alias, slots: [['0']], workdir: sshd.remoteDir() }], campaign: 'c', workdir: code, outDir: out, graceMs: 60_000, acceptNewHostKeys: false, home: sshd.home });
    runner.open((e) => events.push(e));
    expect(await runner.hosts[0].waitUsable(15_000)).toBe(true);
    expect(events[0].reason).toContain('1 GPU');
  });
  afterAll(async () => {
    runner?.close();
    await sshd?.stop();
  });

  let nextId = 1;
  function launch(command: string): TrialLaunch {
    const id = nextId++;
    const dir = path.join(out, 'trials', String(id));
    return { id, command, cwd: code, dir, env: { NIGHTSHIFT_TRIAL_DIR: dir }, params: {}, files: {} };
  }

  it('warns when a process of the trial still holds its GPU after the stop, and not when the GPU was released', async () => {
    // Holds the GPU from inside its group only: gone with the group, nothing to say.
    const lines: string[] = [];
    const hold = (prefix: string) => `${prefix}sh -c 'echo "$$, GPU-fake-0" >> ${fake}/apps; exec sleep 300' & sleep 0.2; echo holding; sleep 300`;
    const tidy = await runner.start(launch(hold('')), runner.free()[0], (l) => lines.push(l));
    await waitFor(() => lines.includes('holding'), 20_000, 'first trial holding the GPU');
    await tidy.cancel('kill', 1000);
    await tidy.done;
    tidy.release();
    // A child that left the trial's process group (setsid) and keeps the GPU.
    const leaky = await runner.start(launch(hold('setsid ')), runner.free()[0], (l) => lines.push(l));
    await waitFor(() => lines.filter((l) => l === 'holding').length === 2, 20_000, 'second trial holding the GPU');
    await leaky.cancel('prune', 1000);
    const warning = await waitFor(() => events.find((e) => e.type === 'host.warning'), 20_000, 'a host warning');
    const held = fs.readFileSync(path.join(fake, 'apps'), 'utf8').trim().split('\n').pop()!.split(',')[0];
    expect(warning).toEqual({
      type: 'host.warning',
      host: sshd.alias,
      reason: `GPU 0 still held after trial 2 was stopped: pid ${held} (sleep 300), a process of the trial outside its process group; end it on the host (kill ${held}), or the next trial on GPU 0 shares it`,
    });
    // Exactly one warning: the first trial's GPU was released.
    expect(events.filter((e) => e.type === 'host.warning')).toHaveLength(1);
    sshd.asUser(`kill ${held}`);
    await leaky.done;
    leaky.release();
  });
});
