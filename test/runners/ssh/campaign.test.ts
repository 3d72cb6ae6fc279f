// A campaign over a real OpenSSH server (test/harness/sshd.ts), through the real CLI: trials run
// on the host as its user, output and metrics come back, the evaluator runs there, the code is
// shipped once and then found in the host's cache, and more trials run at once than the server
// allows channels (MaxSessions 3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { campaignDir, cli, events, stateOf } from '../../helpers.js';
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
    const cache = () => sshd.asUser(`ls -i ${workdir}/.nightshift-cache`).trim();
    const first = cache();
    expect(first.split('\n')).toHaveLength(1);
    // A second campaign with the same code finds it in the cache: the directory is the same one.
    const again = cli(['run', 'campaign.yaml', '--headless', '--fresh', '--max-trials', '2'], dir, env);
    expect(again.code).toBe(0);
    expect(cache()).toBe(first);
  });
});
