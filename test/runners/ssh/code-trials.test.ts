// Code trials on an SSH host (issue 10): each trial runs its own commit's tree there, shipped in
// one tar and cached by content hash on the host, so a second trial at the same commit ships
// nothing. Through the real CLI against a real OpenSSH server (test/harness/sshd.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { cli, events, stateOf } from '../../helpers.js';
import { git, makeRepo } from '../../workspace/helpers.js';
import { allTrials } from '../../../src/state.js';
import type { EventOf } from '../../../src/events.js';
import { startSshd, sshdUnavailable, type Sshd } from '../../harness/sshd.js';

const skip = sshdUnavailable();
if (skip) console.warn(`SSH code-trial tests skipped: ${skip}`);

const TRAIN = 'import os\nX = 1.0\nprint(f"step=1 score={X} cwd={os.getcwd()}")\n';

function diff(from: string, to: string): string {
  const lines = TRAIN.replace(/\n$/, '').split('\n');
  const body = lines.map((l) => (l === from ? `-${l}\n+${to}` : ` ${l}`)).join('\n');
  return `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,${lines.length} +1,${lines.length} @@\n${body}\n`;
}

describe.skipIf(skip)('code trials on a real sshd', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it('runs each trial\'s own commit on the host; a trial at a commit already there is not shipped again', () => {
    const workdir = sshd.remoteDir();
    const patches = [{ hypothesis: 'X at 0.5', diff: diff('X = 1.0', 'X = 0.5') }];
    // Two param trials on the first commit (the second stalls), then the code trial (kept), then a
    // param trial on the kept commit: two distinct trees, each needed twice.
    const yaml = `name: coderemote
command: python3 train.py
metric: { name: score, goal: minimize }
mutable: [train.py]
sandbox: none
proposer: { type: hybrid, params: random, code: ${JSON.stringify({ type: 'patches', patches })}, stall: 1 }
queue_ahead: 0
space:
  k: { type: int, low: 1, high: 3 }
budget: { trials: 4 }
hosts:
  - { name: testhost, slots: 1, workdir: ${workdir} }
`;
    const repo = makeRepo({ 'train.py': TRAIN, 'campaign.yaml': yaml });
    const r = cli(['run', 'campaign.yaml', '--headless'], repo, { HOME: sshd.home, SSH_AUTH_SOCK: '' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = path.join(repo, '.nightshift', 'coderemote');
    const s = stateOf(out);
    const trials = allTrials(s).sort((a, b) => a.id - b.id);
    expect(trials.map((t) => t.proposal.kind)).toEqual(['params', 'params', 'code', 'params']);
    const kept = trials[2];
    expect(kept.status).toBe('keep');
    expect(git(repo, 'show', `${kept.commit}:train.py`)).toContain('X = 0.5');
    const log = (id: number) => sshd.asUser(`cat ${workdir}/coderemote/${id}/output.log`);
    // The host ran each trial's own commit: the changed script from the code trial on (its output says so).
    for (const t of trials) {
      const x = t.id < 3 ? '1.0' : '0.5';
      expect(t.metrics.score).toBe(Number(x));
      expect(log(t.id)).toMatch(new RegExp(`^step=1 score=${x.replace('.', '\\.')} cwd=${workdir}/\\.nightshift-cache/[0-9a-f]{16}\\n$`));
    }
    const tree = (id: number) => /cwd=\S+\/([0-9a-f]{16})/.exec(log(id))![1];
    expect(new Set(trials.map((t) => tree(t.id))).size).toBe(2);
    expect(tree(4)).toBe(tree(3));
    const started = events(out).filter((e): e is EventOf<'trial.started'> => e.type === 'trial.started');
    expect(started.map((e) => e.locator?.runner)).toEqual(['ssh', 'ssh', 'ssh', 'ssh']);
    // Each tree went over the wire once (the first commit's is the campaign's own code, shipped first).
    const shipped = sshd.asUser(`cat ${workdir}/.nightshift-cache/shipped.log`).trim().split('\n').map((l) => l.split(' ')[1]);
    expect(shipped.sort()).toEqual([tree(1), tree(3)].sort());
  }, 120_000);
});
