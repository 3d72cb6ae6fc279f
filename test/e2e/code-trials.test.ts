// Git-backed code trials end to end, in-process with the real engine, runner, git and child
// processes: each trial runs in its own worktree, a kept one moves the campaign branch, a discarded
// one stays under refs, bad edits are invalid before they take a slot, and the user's branch,
// index and working tree are never touched.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { events, stateOf, waitFor } from '../helpers.js';
import { git, makeRepo, userView } from '../workspace/helpers.js';
import { openExisting, openNew, UsageError } from '../../src/session.js';
import { allTrials, getTrial } from '../../src/state.js';
import { ledger, toTable } from '../../src/report.js';
import { reportText } from '../../src/report.js';

// The trial prints the score it was edited to have; SLEEP lets parallel trials overlap.
const TRAIN = 'import time\nX = 1.0\nSLEEP = 0.2\ntime.sleep(SLEEP)\nprint(f"step=1 score={X}")\n';
const EVAL = 'print("frozen evaluator")\n';

/** A one-hunk diff of train.py replacing the line `from` with `to`. */
function edit(from: string, to: string, file = 'train.py'): string {
  const lines = TRAIN.replace(/\n$/, '').split('\n');
  const i = lines.indexOf(from);
  if (i < 0) throw new Error(`no line ${from}`);
  const body = lines.map((l, j) => (j === i ? `-${l}\n+${to}` : ` ${l}`)).join('\n');
  return `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -1,${lines.length} +1,${lines.length} @@\n${body}\n`;
}

function campaign(patches: Array<{ hypothesis: string; diff: string }>, extra = ''): string {
  return `name: code
command: python3 train.py
metric: { name: score, goal: minimize }
mutable: ["*.py", "link/*.py"]
frozen: [evaluate.py]
proposer: ${JSON.stringify({ type: 'patches', patches })}
${extra}`;
}

function repoWith(yaml: string, files: Record<string, string> = {}): string {
  return makeRepo({ 'train.py': TRAIN, 'evaluate.py': EVAL, 'campaign.yaml': yaml, ...files });
}

const worktrees = (repo: string) => git(repo, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length;

describe('code trials in git worktrees', () => {
  it('runs two code trials in parallel worktrees; the best moves the branch, the other stays under refs; a param trial then runs the kept code', async () => {
    const yaml = campaign(
      [
        { hypothesis: 'Halve X to lower the score', diff: edit('X = 1.0', 'X = 0.5') },
        { hypothesis: 'Double X (should be worse)', diff: edit('X = 1.0', 'X = 2.0') },
      ],
      'parallel: 2\nqueue_ahead: 0\nbudget: { trials: 3 }\nspace:\n  k: { type: int, low: 1, high: 3 }\n',
    ).replace(/^proposer: (.*)$/m, 'proposer: [$1, random]');
    const repo = repoWith(yaml);
    const before = userView(repo);
    const session = await openNew(path.join(repo, 'campaign.yaml'), {});
    const done = session.begin();
    // Both code trials running: hold dispatch and hand over to the params proposer (as the operator
    // would), so its trial starts only once both code trials are decided.
    await waitFor(() => session.store.getState().running.length === 2, 60_000, 'two code trials running');
    session.engine.pause();
    session.engine.switchProposer('random');
    await waitFor(() => allTrials(session.store.getState()).filter((t) => t.proposal.kind === 'code' && ['keep', 'discard'].includes(t.status)).length === 2, 30_000, 'two code trials decided');
    session.engine.resumeDispatch();
    const outcome = await done;
    session.release();
    expect(outcome.kind).toBe('finished');

    const s = stateOf(session.outDir);
    const evs = events(session.outDir);
    const [a, b] = [getTrial(s, 1)!, getTrial(s, 2)!];
    // In parallel: both started before either finished, each in its own worktree.
    const firstFinished = evs.findIndex((e) => e.type === 'trial.finished');
    expect(evs.slice(0, firstFinished).filter((e) => e.type === 'trial.started')).toHaveLength(2);
    expect(a.workdir).not.toBe(b.workdir);
    expect(a.workdir!.startsWith(path.join(session.outDir, 'worktrees'))).toBe(true);
    // Whatever the order they finished in, the branch ends at the better trial (X = 0.5).
    expect(a.score).toBe(0.5);
    expect(b.score).toBe(2);
    expect(git(repo, 'rev-parse', 'nightshift/code').trim()).toBe(a.commit);
    expect(git(repo, 'rev-parse', 'refs/nightshift/code/trials/2').trim()).toBe(b.commit);
    expect(git(repo, 'show', `${a.commit}:train.py`)).toContain('X = 0.5');
    const msg = git(repo, 'log', '-1', '--format=%B', a.commit!);
    expect(msg).toContain('Halve X to lower the score');
    expect(msg).toContain('Nightshift-Trial: 1');
    // The param trial ran on the kept code: its score is the kept X.
    const p = allTrials(s).find((t) => t.proposal.kind === 'params')!;
    expect(p.status).not.toBe('queued');
    expect(p.commit).toBe(a.commit);
    expect(p.metrics.score).toBe(0.5);
    // Nothing piles up; the user's repository is as it was.
    expect(fs.readdirSync(path.join(session.outDir, 'worktrees')).filter((n) => !n.startsWith('.'))).toEqual([]);
    expect(worktrees(repo)).toBe(1);
    expect(userView(repo)).toEqual(before);
    expect(fs.readFileSync(path.join(repo, 'train.py'), 'utf8')).toBe(TRAIN);
    // Outputs carry the commit: results.tsv (short hash first), export, report.
    const rows = fs.readFileSync(path.join(session.outDir, 'results.tsv'), 'utf8').trimEnd().split('\n').map((l) => l.split('\t'));
    expect(rows[0][0]).toBe('commit');
    expect(rows.slice(1).map((r) => r[0]).sort()).toEqual([a.commit!.slice(0, 7), a.commit!.slice(0, 7), b.commit!.slice(0, 7)].sort());
    expect(ledger(s).find((r) => r.id === 1)!.commit).toBe(a.commit);
    expect(toTable(ledger(s), ',').split('\n')[0]).toContain('commit');
    const report = reportText(s);
    expect(report).toContain(`${a.commit!.slice(0, 7)} #1 Halve X to lower the score`);
    expect(report).toMatch(/patches: 2 proposal\(s\); applied 2\/2 \(100%\), passed pre-flight 2\/2 \(100%\), crashed 0\/2 \(0%\)/);
    expect(evs[0]).toMatchObject({ type: 'campaign.started', branch: 'nightshift/code', review: 'auto' });
  }, 120_000);

  it('refuses frozen, traversal and symlink-escape edits, duplicates, code that does not compile and a failing pre-flight, before any slot is spent', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-outside-'));
    const traversal = 'diff --git a/../escape.py b/../escape.py\nnew file mode 100644\n--- /dev/null\n+++ b/../escape.py\n@@ -0,0 +1 @@\n+print("out")\n';
    const viaLink = 'diff --git a/link/evil.py b/link/evil.py\nnew file mode 100644\n--- /dev/null\n+++ b/link/evil.py\n@@ -0,0 +1 @@\n+print("evil")\n';
    const frozen = 'diff --git a/evaluate.py b/evaluate.py\n--- a/evaluate.py\n+++ b/evaluate.py\n@@ -1 +1 @@\n-print("frozen evaluator")\n+print("score=0")\n';
    const yaml = campaign(
      [
        { hypothesis: 'Cheat through the evaluator', diff: frozen },
        { hypothesis: 'Escape the repository', diff: traversal },
        { hypothesis: 'Write through a symlink', diff: viaLink },
        { hypothesis: 'X at 0.7', diff: edit('X = 1.0', 'X = 0.7') },
        { hypothesis: 'X at 0.7 again, spaced out', diff: edit('X = 1.0', 'X  =   0.7') },
        { hypothesis: 'Broken syntax', diff: edit('X = 1.0', 'X = (') },
        { hypothesis: 'Too small for the pre-flight', diff: edit('X = 1.0', 'X = 0.01') },
      ],
      'preflight: { command: "python3 -c \\"import train, sys; sys.exit(1 if train.X < 0.1 else 0)\\"", timeout: 30s }\n',
    );
    const repo = repoWith(yaml);
    fs.symlinkSync(outside, path.join(repo, 'link'));
    git(repo, 'add', 'link');
    git(repo, 'commit', '-q', '-m', 'a symlink leading out');
    const before = userView(repo);
    const session = await openNew(path.join(repo, 'campaign.yaml'), {});
    const outcome = await session.begin();
    session.release();
    expect(outcome.kind).toBe('finished');
    const s = stateOf(session.outDir);
    const by = (h: string) => allTrials(s).find((t) => t.proposal.kind === 'code' && t.proposal.hypothesis === h)!;
    expect(by('Cheat through the evaluator')).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/^edit does not apply: .*evaluate\.py, a frozen file/) });
    expect(by('Escape the repository')).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/^edit does not apply: .*"\.\."/) });
    expect(by('Write through a symlink')).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/^edit does not apply: .*symlink that leads outside/) });
    const first = by('X at 0.7');
    expect(first.status).toBe('keep');
    expect(by('X at 0.7 again, spaced out')).toMatchObject({ status: 'invalid', reason: expect.stringMatching(new RegExp(`^duplicate of #${first.id}`)) });
    expect(by('Broken syntax')).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/^does not compile: train\.py/) });
    expect(by('Too small for the pre-flight')).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/^pre-flight failed: .*exited with code 1/) });
    // None of the invalid ones took a slot.
    expect(allTrials(s).filter((t) => t.started_at !== undefined).map((t) => t.id)).toEqual([first.id]);
    // Nothing escaped, the frozen file is unchanged everywhere, the user's tree untouched.
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.existsSync(path.join(repo, '..', 'escape.py'))).toBe(false);
    expect(git(repo, 'show', 'nightshift/code:evaluate.py')).toBe(EVAL);
    expect(fs.readFileSync(path.join(repo, 'evaluate.py'), 'utf8')).toBe(EVAL);
    expect(userView(repo)).toEqual(before);
    expect(worktrees(repo)).toBe(1);
    // Commits made before a later stage failed stay reachable under their trial's ref.
    expect(git(repo, 'show', `refs/nightshift/code/trials/${by('Broken syntax').id}:train.py`)).toContain('X = (');
    expect(reportText(s)).toMatch(/patches: 7 proposal\(s\); applied 4\/7 \(57%\), passed pre-flight 1\/4 \(25%\), crashed 0\/1/);
  }, 60_000);

  it('review: manual holds a prepared code trial until approved; an edited diff is prepared again and is what runs', async () => {
    const repo = repoWith(campaign([{ hypothesis: 'X at 0.5', diff: edit('X = 1.0', 'X = 0.5') }], 'review: manual\n'));
    const session = await openNew(path.join(repo, 'campaign.yaml'), {});
    const done = session.begin();
    const first = await waitFor(() => getTrial(session.store.getState(), 1)?.commit, 30_000, 'trial 1 prepared');
    await new Promise((r) => setTimeout(r, 500));
    expect(getTrial(session.store.getState(), 1)!.status).toBe('queued');
    // A person edits the diff: the old commit no longer describes the trial.
    session.engine.emit({ type: 'operator.edit', id: 1, diff: edit('X = 1.0', 'X = 0.125'), reason: 'smaller' });
    const second = await waitFor(() => getTrial(session.store.getState(), 1)?.commit, 30_000, 'trial 1 prepared again');
    expect(second).not.toBe(first);
    session.engine.emit({ type: 'operator.approve', id: 1 });
    const outcome = await done;
    session.release();
    expect(outcome.kind).toBe('finished');
    const t = getTrial(stateOf(session.outDir), 1)!;
    expect(t).toMatchObject({ status: 'keep', score: 0.125, commit: second });
    expect(git(repo, 'show', 'nightshift/code:train.py')).toContain('X = 0.125');
    expect(worktrees(repo)).toBe(1);
  }, 60_000);

  it('a rejected prepared code trial gives its worktree back at once (its commit stays under its ref), and a resume sweeps any left by a killed supervisor', async () => {
    const repo = repoWith(
      campaign(
        [
          { hypothesis: 'X at 0.5', diff: edit('X = 1.0', 'X = 0.5') },
          { hypothesis: 'X at 0.25', diff: edit('X = 1.0', 'X = 0.25') },
        ],
        'review: manual\nqueue_ahead: 1\n',
      ),
    );
    const session = await openNew(path.join(repo, 'campaign.yaml'), {});
    const done = session.begin();
    const commit = await waitFor(() => getTrial(session.store.getState(), 1)?.commit, 30_000, 'trial 1 prepared');
    expect(fs.existsSync(path.join(session.outDir, 'worktrees', '1'))).toBe(true);
    expect(session.engine.reject(1, 'not this one').ok).toBe(true);
    await waitFor(() => !fs.existsSync(path.join(session.outDir, 'worktrees', '1')), 10_000, 'the rejected trial\'s worktree removed');
    expect(git(repo, 'rev-parse', 'refs/nightshift/code/trials/1').trim()).toBe(commit);
    await waitFor(() => getTrial(session.store.getState(), 2)?.commit, 30_000, 'trial 2 prepared');
    await session.engine.interrupt();
    await done;
    session.release();
    // A supervisor killed before it could clean leaves a dropped trial's worktree: resume sweeps it.
    git(repo, 'worktree', 'add', '--detach', path.join(session.outDir, 'worktrees', '1'), commit);
    const again = await openExisting(path.join(repo, 'campaign.yaml'), {});
    expect(fs.existsSync(path.join(session.outDir, 'worktrees', '1'))).toBe(false);
    again.release();
  }, 60_000);

  it('a workdir outside git, or a dirty mutable file, is a usage error that leaves no journal', async () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'nightshift-nogit-'));
    fs.writeFileSync(path.join(plain, 'train.py'), TRAIN);
    fs.writeFileSync(path.join(plain, 'campaign.yaml'), campaign([{ hypothesis: 'h', diff: edit('X = 1.0', 'X = 0.5') }]));
    const err = await openNew(path.join(plain, 'campaign.yaml'), {}).catch((e) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/not inside a git repository/);
    expect(fs.existsSync(path.join(plain, '.nightshift', 'code', 'journal.jsonl'))).toBe(false);

    const repo = repoWith(campaign([{ hypothesis: 'h', diff: edit('X = 1.0', 'X = 0.5') }]));
    fs.appendFileSync(path.join(repo, 'train.py'), '# uncommitted\n');
    const dirty = await openNew(path.join(repo, 'campaign.yaml'), {}).catch((e) => e);
    expect(dirty).toBeInstanceOf(UsageError);
    expect(dirty.message).toMatch(/uncommitted changes \(train\.py\)/);
  });
});
