// The CodeView over a real repository: mutable files read from commits (never frozen ones, never
// symlinks), edits tried in one scratch worktree whose diff is relative to the campaign's workdir.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openWorkspace } from '../../src/workspace/git.js';
import { createCodeView } from '../../src/workspace/code-view.js';
import { git, makeRepo, userView } from './helpers.js';

describe('CodeView', () => {
  it('lists and reads mutable files at a commit from a workdir below the top level, and tries edits there', async () => {
    const repo = makeRepo({ 'exp/train.py': 'lr = 0.1\n', 'exp/evaluate.py': 'print(1)\n', 'exp/notes.md': 'x\n', 'other/train.py': 'no\n' });
    fs.symlinkSync('train.py', path.join(repo, 'exp', 'alias.py'));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'link');
    const before = userView(repo);
    const ws = await openWorkspace({ repo: path.join(repo, 'exp'), campaign: 'cv', stateDir: path.join(repo, '.nightshift', 'cv'), mutable: ['*.py'], frozen: ['evaluate.py'] });
    const view = createCodeView(ws);
    const base = await view.base();
    expect(await view.list()).toEqual(['train.py']);
    expect(await view.read('train.py', base)).toBe('lr = 0.1\n');
    await expect(view.read('evaluate.py')).rejects.toThrow(/not a mutable file/);

    const r = await view.tryEdits(base, [{ kind: 'rewrite', path: 'train.py', content: 'lr = 0.2\n' }]);
    expect(r).toMatchObject({ ok: true, files: ['train.py'] });
    if (!r.ok) return;
    expect(r.diff).toMatch(/^diff --git a\/train\.py b\/train\.py\n/);
    expect(r.diff).toContain('-lr = 0.1\n+lr = 0.2\n');
    // The scratch worktree is reused and reset: a second try starts from the base again.
    const again = await view.tryEdits(base, [{ kind: 'search_replace', path: 'train.py', search: 'lr = 0.1', replace: 'lr = 0.3' }]);
    expect(again.ok).toBe(true);
    const refused = await view.tryEdits(base, [{ kind: 'rewrite', path: 'alias.py', content: 'x\n' }]);
    expect(refused).toMatchObject({ ok: false, reason: expect.stringMatching(/symlink/) });
    const unchanged = await view.tryEdits(base, [{ kind: 'rewrite', path: 'train.py', content: 'lr = 0.1\n' }]);
    expect(unchanged).toMatchObject({ ok: false, reason: expect.stringMatching(/exactly as it was/) });

    await view.release();
    expect(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
    expect(fs.readdirSync(ws.worktreesDir)).toEqual([]);
    expect(userView(repo)).toEqual(before);
  });
});
