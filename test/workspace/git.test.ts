// The lab notebook on real git repositories: campaign branch, trial worktrees and commits, keep and
// discard refs, scope checks. After everything, the user's HEAD, branch, index and status are unchanged.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWorkspace, WorkspaceError, type Workspace } from '../../src/workspace/git.js';
import { FILES, git, makeRepo, userView } from './helpers.js';

async function setup(campaign = 'c1'): Promise<{ repo: string; ws: Workspace; before: ReturnType<typeof userView> }> {
  const repo = makeRepo(FILES);
  const before = userView(repo);
  const ws = await openWorkspace({
    repo,
    campaign,
    stateDir: path.join(repo, '.nightshift', campaign),
    mutable: ['train.py', 'model.py'],
    frozen: ['evaluate.py'],
  });
  return { repo, ws, before };
}

const edit = (file: string, content: string) => async (dir: string) => fs.writeFileSync(path.join(dir, file), content);

describe('workspace: campaign branch', () => {
  it('creates nightshift/<campaign> at HEAD and leaves the user branch, index and status alone', async () => {
    const { repo, ws, before } = await setup();
    expect(git(repo, 'rev-parse', 'nightshift/c1').trim()).toBe(before.head);
    expect(await ws.tip()).toBe(before.head);
    const r = await ws.prepareTrial('1', before.head, edit('train.py', 'lr = 0.05\n'), 'Lower the learning rate');
    expect(r.kind).toBe('commit');
    if (r.kind !== 'commit') return;
    expect((await ws.keep('1', r.commit)).kind).toBe('kept');
    await ws.removeWorktree('1');
    expect(userView(repo)).toEqual(before);
    expect(fs.readFileSync(path.join(repo, 'train.py'), 'utf8')).toBe('lr = 0.1\n');
    // Opening again keeps the branch where it is.
    await openWorkspace({ ...ws.opts });
    expect(git(repo, 'rev-parse', 'nightshift/c1').trim()).toBe(r.commit);
  });

  it('refuses a directory outside git with a clear message', async () => {
    const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'nightshift-nogit-'));
    await expect(openWorkspace({ repo: dir, campaign: 'c', stateDir: path.join(dir, 's'), mutable: ['*.py'], frozen: [] })).rejects.toThrow(
      /not inside a git repository.*git init/,
    );
  });

  it('refuses to start when a mutable file is dirty, naming it, and leaves it dirty', async () => {
    const repo = makeRepo(FILES);
    fs.writeFileSync(path.join(repo, 'model.py'), 'layers = 3\n');
    fs.writeFileSync(path.join(repo, 'README.md'), 'edited, but not mutable\n');
    const before = userView(repo);
    const err = await openWorkspace({ repo, campaign: 'c1', stateDir: path.join(repo, '.nightshift', 'c1'), mutable: ['*.py'], frozen: ['evaluate.py'] }).catch((e) => e);
    expect(err).toBeInstanceOf(WorkspaceError);
    expect(err.message).toMatch(/model\.py/);
    expect(err.message).not.toMatch(/README/);
    expect(err.message).toMatch(/commit.*stash/i);
    expect(git(repo, 'branch', '--list', 'nightshift/*').trim()).toBe('');
    expect(userView(repo)).toEqual(before);
  });
});

describe('workspace: trials', () => {
  it('prepares two trials in parallel in separate worktrees from the same base', async () => {
    const { repo, ws, before } = await setup();
    const base = await ws.tip();
    const [a, b] = await Promise.all([
      ws.prepareTrial('1', base, edit('train.py', 'lr = 0.2\n'), 'Raise lr'),
      ws.prepareTrial('2', base, edit('model.py', 'layers = 4\n'), 'Deeper model'),
    ]);
    if (a.kind !== 'commit' || b.kind !== 'commit') throw new Error('expected commits');
    expect(a.dir).not.toBe(b.dir);
    expect(git(repo, 'rev-parse', `${a.commit}^`).trim()).toBe(base);
    expect(git(repo, 'rev-parse', `${b.commit}^`).trim()).toBe(base);
    expect(fs.readFileSync(path.join(a.dir, 'train.py'), 'utf8')).toBe('lr = 0.2\n');
    expect(fs.readFileSync(path.join(a.dir, 'model.py'), 'utf8')).toBe('layers = 2\n');
    expect(fs.readFileSync(path.join(b.dir, 'model.py'), 'utf8')).toBe('layers = 4\n');
    expect(git(repo, 'log', '-1', '--format=%B', a.commit)).toBe('Raise lr\n\nNightshift-Trial: 1\n\n');
    expect(await ws.changedFiles(base, a.commit)).toEqual(['train.py']);
    expect(await ws.checkCommit(base, b.commit)).toEqual([]);
    await ws.removeWorktree('1');
    await ws.removeWorktree('2');
    expect(fs.existsSync(a.dir)).toBe(false);
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(userView(repo)).toEqual(before);
  });

  it('reports no change when apply edits nothing, and removes the worktree', async () => {
    const { ws } = await setup();
    const r = await ws.prepareTrial('1', await ws.tip(), edit('train.py', 'lr = 0.1\n'), 'Same thing');
    expect(r.kind).toBe('no-change');
    if (r.kind === 'no-change') expect(r.message).toMatch(/changed no file/);
    expect(fs.existsSync(ws.worktreeDir('1'))).toBe(false);
  });

  it('keep moves the campaign branch; a second keep that is not a fast-forward is refused and said', async () => {
    const { repo, ws, before } = await setup();
    const base = await ws.tip();
    const a = await ws.prepareTrial('1', base, edit('train.py', 'lr = 0.2\n'), 'Raise lr');
    const b = await ws.prepareTrial('2', base, edit('model.py', 'layers = 4\n'), 'Deeper');
    if (a.kind !== 'commit' || b.kind !== 'commit') throw new Error('expected commits');
    expect(await ws.keep('1', a.commit)).toEqual({ kind: 'kept', commit: a.commit });
    expect(git(repo, 'rev-parse', 'nightshift/c1').trim()).toBe(a.commit);
    const r = await ws.keep('2', b.commit);
    expect(r.kind).toBe('not-fast-forward');
    if (r.kind === 'not-fast-forward') expect(r.message).toMatch(/not moved/);
    expect(git(repo, 'rev-parse', 'nightshift/c1').trim()).toBe(a.commit);
    expect(git(repo, 'log', '--format=%s', 'nightshift/c1').trim().split('\n')).toEqual(['Raise lr', 'initial']);
    expect(userView(repo)).toEqual(before);
  });

  it('discard keeps the commit reachable under refs/nightshift/<campaign>/trials/<id>, through gc --prune=now', async () => {
    const { repo, ws, before } = await setup();
    const base = await ws.tip();
    const r = await ws.prepareTrial('7', base, edit('train.py', 'lr = 9\n'), 'Absurd lr');
    if (r.kind !== 'commit') throw new Error('expected a commit');
    await ws.discard('7', r.commit);
    await ws.removeWorktree('7');
    git(repo, 'reflog', 'expire', '--expire=now', '--all');
    git(repo, 'gc', '-q', '--prune=now');
    expect(git(repo, 'rev-parse', 'refs/nightshift/c1/trials/7').trim()).toBe(r.commit);
    expect(git(repo, 'cat-file', '-t', r.commit).trim()).toBe('commit');
    expect(git(repo, 'show', `${r.commit}:train.py`)).toBe('lr = 9\n');
    expect(git(repo, 'rev-parse', 'nightshift/c1').trim()).toBe(base);
    expect(userView(repo)).toEqual(before);
  });

  it('reports a commit touching a frozen file or a file outside the mutable globs', async () => {
    const { ws } = await setup();
    const base = await ws.tip();
    const r = await ws.prepareTrial(
      '3',
      base,
      async (dir) => {
        fs.writeFileSync(path.join(dir, 'train.py'), 'lr = 0.3\n');
        fs.writeFileSync(path.join(dir, 'evaluate.py'), 'print("always 1.0")\n');
        fs.writeFileSync(path.join(dir, 'notes.txt'), 'new\n');
      },
      'Cheat',
    );
    if (r.kind !== 'commit') throw new Error('expected a commit');
    expect(await ws.checkCommit(base, r.commit)).toEqual([
      { path: 'evaluate.py', reason: 'frozen' },
      { path: 'notes.txt', reason: 'outside' },
    ]);
  });
});

describe('workspace: edges', () => {
  it('works from a workdir inside the repository: globs and changed paths are relative to the workdir', async () => {
    const repo = makeRepo({ 'exp/train.py': 'lr = 1\n', 'exp/evaluate.py': 'e\n', 'top.txt': 't\n' });
    const before = userView(repo);
    const workdir = path.join(repo, 'exp');
    const ws = await openWorkspace({ repo: workdir, campaign: 'sub', stateDir: path.join(workdir, '.nightshift', 'sub'), mutable: ['train.py'], frozen: ['evaluate.py'] });
    const base = await ws.tip();
    const r = await ws.prepareTrial(
      '1',
      base,
      async (dir) => {
        // apply gets the workdir (exp/ inside the worktree); top.txt lies above it.
        fs.writeFileSync(path.join(dir, 'train.py'), 'lr = 2\n');
        fs.writeFileSync(path.join(dir, '..', 'top.txt'), 'changed\n');
      },
      'Sub',
    );
    if (r.kind !== 'commit') throw new Error('expected a commit');
    expect(r.workdir).toBe(path.join(r.dir, 'exp'));
    expect(fs.readFileSync(path.join(r.workdir, 'train.py'), 'utf8')).toBe('lr = 2\n');
    expect(await ws.changedFiles(base, r.commit)).toEqual(['train.py', '../top.txt']);
    expect(await ws.checkCommit(base, r.commit)).toEqual([{ path: '../top.txt', reason: 'outside' }]);
    await ws.removeWorktree('1');
    expect(userView(repo)).toEqual(before);
  });

  it('refuses when the campaign branch is checked out by the user', async () => {
    const repo = makeRepo(FILES);
    git(repo, 'switch', '-q', '-c', 'nightshift/c1');
    await expect(openWorkspace({ repo, campaign: 'c1', stateDir: path.join(repo, '.nightshift', 'c1'), mutable: ['*.py'], frozen: [] })).rejects.toThrow(
      /nightshift\/c1 is checked out/,
    );
  });

  it('cleans the worktree and rethrows when apply fails; a bad trial id is refused', async () => {
    const { repo, ws, before } = await setup();
    const boom = async (dir: string) => {
      fs.writeFileSync(path.join(dir, 'train.py'), 'half\n');
      throw new Error('edit did not apply');
    };
    await expect(ws.prepareTrial('4', await ws.tip(), boom, 'Broken')).rejects.toThrow('edit did not apply');
    expect(fs.existsSync(ws.worktreeDir('4'))).toBe(false);
    expect(git(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    await expect(ws.prepareTrial('../x', await ws.tip(), boom, 'Escape')).rejects.toThrow(/cannot name a worktree/);
    expect(userView(repo)).toEqual(before);
  });
});
