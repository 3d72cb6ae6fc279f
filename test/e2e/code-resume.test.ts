// kill -9 of the supervisor in the middle of a code trial, then `resume` (the real CLI, SIGKILL):
// the running trial keeps its worktree and is re-attached, no commit or worktree is made twice,
// and the campaign branch ends where the decisions say.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, cliSpawn, events, stateOf, waitFor } from '../helpers.js';
import { git, makeRepo, userView } from '../workspace/helpers.js';
import { allTrials } from '../../src/state.js';

// The trial waits for a file the test writes, so the kill lands while it runs. Not under /tmp: a
// code trial runs sandboxed, with a private /tmp (the rest of the system it sees read-only).
const TRAIN = 'import os, time\nX = 1.0\nwhile not os.path.exists(os.environ["GO"]):\n    time.sleep(0.05)\nprint(f"step=1 score={X}")\n';

function edit(from: string, to: string): string {
  const lines = TRAIN.replace(/\n$/, '').split('\n');
  const i = lines.indexOf(from);
  const body = lines.map((l, j) => (j === i ? `-${l}\n+${to}` : ` ${l}`)).join('\n');
  return `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1,${lines.length} +1,${lines.length} @@\n${body}\n`;
}

describe('kill -9 mid code trial, then resume', () => {
  it('re-attaches the running trial in its worktree, prepares the rest once, and leaves the branch right', async () => {
    const patches = [
      { hypothesis: 'X at 0.5', diff: edit('X = 1.0', 'X = 0.5') },
      { hypothesis: 'X at 0.25', diff: edit('X = 1.0', 'X = 0.25') },
      { hypothesis: 'X at 3', diff: edit('X = 1.0', 'X = 3.0') },
    ];
    const repo = makeRepo({
      'train.py': TRAIN,
      'campaign.yaml': `name: kr
command: python3 train.py
metric: { name: score, goal: minimize }
mutable: [train.py]
proposer: ${JSON.stringify({ type: 'patches', patches })}
queue_ahead: 2
env: { GO: ${JSON.stringify(path.join('/var/tmp', `nightshift-go-${process.pid}-${Date.now()}`))} }
`,
    });
    const go = /GO: "([^"]+)"/.exec(fs.readFileSync(path.join(repo, 'campaign.yaml'), 'utf8'))![1];
    const before = userView(repo);
    const out = path.join(repo, '.nightshift', 'kr');
    const run = cliSpawn(['run', 'campaign.yaml', '--headless'], repo);
    // Trial 1 running, and the next ones prepared ahead (commits in their worktrees).
    await waitFor(() => {
      const s = stateOf(out);
      return s.running.length === 1 && allTrials(s).filter((t) => t.commit).length >= 2;
    }, 60_000, 'a running code trial and one prepared ahead');
    run.child.kill('SIGKILL');
    await run.exited;
    const mid = stateOf(out);
    const running = allTrials(mid).find((t) => t.status === 'running')!;
    expect(fs.existsSync(running.workdir!)).toBe(true);

    fs.writeFileSync(go, '');
    try {
      const r = cli(['resume', 'campaign.yaml', '--headless'], repo);
      expect(r.code, r.stderr).toBe(0);
    } finally {
      fs.rmSync(go, { force: true });
    }
    const s = stateOf(out);
    const code = allTrials(s).filter((t) => t.proposal.kind === 'code');
    // Prepared trials start in the order their preparation finishes, so X = 0.5 is kept only when it
    // was decided before X = 0.25 (seen both ways in CI); X = 0.25 is always kept, X = 3 never.
    const by = (x: number) => code.find((t) => t.score === x)!;
    expect(by(0.25).status).toBe('keep');
    expect(by(3).status).toBe('discard');
    const decided = events(out).filter((e) => e.type === 'trial.decided').map((e) => (e as { id: number }).id);
    expect(by(0.5).status).toBe(decided.indexOf(by(0.5).id) < decided.indexOf(by(0.25).id) ? 'keep' : 'discard');
    // The re-attached trial kept its commit and worktree, and was decided from its own run.
    expect(allTrials(s).find((t) => t.id === running.id)!.commit).toBe(running.commit);
    // One commit per trial: every Nightshift-Trial trailer in the repository's history appears once.
    const trailers = git(repo, 'log', '--all', '--format=%(trailers:key=Nightshift-Trial,valueonly)').split('\n').map((l) => l.trim()).filter(Boolean);
    expect(trailers.sort()).toEqual(code.map((t) => String(t.id)).sort());
    // The branch is at the best trial (X = 0.25), the others under their refs; no worktree is left.
    const best = code.find((t) => t.score === 0.25)!;
    expect(git(repo, 'rev-parse', 'nightshift/kr').trim()).toBe(best.commit);
    for (const t of code.filter((t) => t.status === 'discard')) expect(git(repo, 'rev-parse', `refs/nightshift/kr/trials/${t.id}`).trim()).toBe(t.commit);
    expect(git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree '))).toHaveLength(1);
    expect(fs.readdirSync(path.join(out, 'worktrees'))).toEqual([]);
    expect(userView(repo)).toEqual(before);
  }, 120_000);
});
