// Resume after kill -9: a real child process prepares a trial and is killed mid-apply or right after
// its commit; recover() cleans the half-made worktree and a second prepare never duplicates a commit.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWorkspace } from '../../src/workspace/git.js';
import { ROOT } from '../helpers.js';
import { FILES, git, makeRepo, userView } from './helpers.js';

const MODULE = path.join(ROOT, 'dist', 'src', 'workspace', 'git.js');

/** Runs prepareTrial in a child that signals `marker` at `stage` and then hangs; kills it with SIGKILL. */
async function crashDuringPrepare(repo: string, stateDir: string, id: string, stage: 'mid-apply' | 'after-commit'): Promise<void> {
  const marker = path.join(stateDir, `marker-${id}`);
  const script = `
    import * as fs from 'node:fs';
    import * as path from 'node:path';
    const { openWorkspace } = await import(${JSON.stringify(MODULE)});
    const ws = await openWorkspace({ repo: ${JSON.stringify(repo)}, campaign: 'c1', stateDir: ${JSON.stringify(stateDir)}, mutable: ['*.py'], frozen: ['evaluate.py'] });
    const hang = () => { fs.writeFileSync(${JSON.stringify(marker)}, 'x'); return new Promise(() => setInterval(() => {}, 1000)); };
    await ws.prepareTrial(${JSON.stringify(id)}, await ws.tip(), async (dir) => {
      fs.writeFileSync(path.join(dir, 'train.py'), 'lr = 0.5\\n');
      if (${JSON.stringify(stage)} === 'mid-apply') await hang();
    }, 'Half a thought');
    await hang();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let i = 0; !fs.existsSync(marker); i++) {
    if (child.exitCode !== null || i > 600) throw new Error(`child did not reach ${stage}: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  await exited;
  fs.rmSync(marker);
}

function trialCommits(repo: string, id: string): string[] {
  return git(repo, 'log', '--all', '--format=%H', '-F', `--grep=Nightshift-Trial: ${id}`).trim().split('\n').filter(Boolean);
}

describe('workspace: recover after kill -9', () => {
  it('removes a worktree killed mid-prepare, prunes stale entries, and the retry makes exactly one commit', async () => {
    const repo = makeRepo(FILES);
    const stateDir = path.join(repo, '.nightshift', 'c1');
    const opts = { repo, campaign: 'c1', stateDir, mutable: ['*.py'], frozen: ['evaluate.py'] };
    const before = userView(repo);
    await crashDuringPrepare(repo, stateDir, '5', 'mid-apply');
    expect(fs.readFileSync(path.join(stateDir, 'worktrees', '5', 'train.py'), 'utf8')).toBe('lr = 0.5\n');
    // Two more kinds of debris: a registered worktree whose directory vanished, and a bare directory.
    git(repo, 'worktree', 'add', '-q', '--detach', path.join(stateDir, 'worktrees', 'gone'), 'HEAD');
    fs.rmSync(path.join(stateDir, 'worktrees', 'gone'), { recursive: true });
    fs.mkdirSync(path.join(stateDir, 'worktrees', '6'));

    const ws = await openWorkspace(opts);
    const rec = await ws.recover();
    expect(rec.removed).toEqual(['5', '6']);
    expect(rec.worktrees).toEqual([]);
    expect(rec.trials.size).toBe(0);
    expect(fs.readdirSync(path.join(stateDir, 'worktrees'))).toEqual([]);
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(trialCommits(repo, '5')).toEqual([]);

    const r = await ws.prepareTrial('5', await ws.tip(), async (dir) => fs.writeFileSync(path.join(dir, 'train.py'), 'lr = 0.5\n'), 'Half a thought');
    expect(r.kind === 'commit' && !r.reused).toBe(true);
    expect(trialCommits(repo, '5')).toHaveLength(1);
    await ws.removeWorktree('5');
    expect(userView(repo)).toEqual(before);
  });

  it('finds a trial killed after its commit and reuses that commit instead of making a second one', async () => {
    const repo = makeRepo(FILES);
    const stateDir = path.join(repo, '.nightshift', 'c1');
    const before = userView(repo);
    await crashDuringPrepare(repo, stateDir, '8', 'after-commit');
    const ws = await openWorkspace({ repo, campaign: 'c1', stateDir, mutable: ['*.py'], frozen: ['evaluate.py'] });
    // A trial's own outputs in its worktree do not make it half-made.
    fs.writeFileSync(path.join(stateDir, 'worktrees', '8', 'out.log'), 'step 1\n');
    const rec = await ws.recover();
    expect(rec.removed).toEqual([]);
    expect(rec.worktrees).toEqual(['8']);
    const [commit] = trialCommits(repo, '8');
    expect(rec.trials.get('8')).toBe(commit);

    let applied = 0;
    const again = await ws.prepareTrial('8', await ws.tip(), async () => void applied++, 'Half a thought');
    expect(again).toMatchObject({ kind: 'commit', commit, reused: true });
    expect(applied).toBe(0);
    // Decided, worktree gone, workspace reopened: the id still maps to its one commit.
    await ws.discard('8', commit);
    await ws.removeWorktree('8');
    const rec2 = await (await openWorkspace(ws.opts)).recover();
    expect(rec2.trials.get('8')).toBe(commit);
    const third = await ws.prepareTrial('8', await ws.tip(), async () => void applied++, 'Half a thought');
    expect(third).toMatchObject({ kind: 'commit', commit, reused: true });
    expect(trialCommits(repo, '8')).toEqual([commit]);
    await ws.removeWorktree('8');
    expect(userView(repo)).toEqual(before);
  });
});
