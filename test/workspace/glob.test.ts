import { describe, expect, it } from 'vitest';
import { matchGlob, matchesAny } from '../../src/workspace/glob.js';

describe('matchGlob', () => {
  it('* stays inside one segment', () => {
    expect(matchGlob('model/net.py', 'model/*.py')).toBe(true);
    expect(matchGlob('model/sub/net.py', 'model/*.py')).toBe(false);
    expect(matchGlob('train.py', '*.py')).toBe(true);
    expect(matchGlob('src/train.py', '*.py')).toBe(false);
  });
  it('{a,b} is either word (the syntax frozen: lists already used)', () => {
    expect(matchGlob('eval/score.py', 'eval/*.{py,sh}')).toBe(true);
    expect(matchGlob('eval/run.sh', 'eval/*.{py,sh}')).toBe(true);
    expect(matchGlob('eval/notes.txt', 'eval/*.{py,sh}')).toBe(false);
  });
  it('** spans zero or more segments', () => {
    expect(matchGlob('model/net.py', 'model/**/*.py')).toBe(true);
    expect(matchGlob('model/a/b/net.py', 'model/**/*.py')).toBe(true);
    expect(matchGlob('a/b/c.txt', '**')).toBe(true);
    expect(matchGlob('x/eval.py', '**/eval.py')).toBe(true);
    expect(matchGlob('eval.py', '**/eval.py')).toBe(true);
    expect(matchGlob('data/a/b', 'data/**')).toBe(true);
    expect(matchGlob('database/x', 'data/**')).toBe(false);
  });
  it('? is one character, not a slash; dots are literal', () => {
    expect(matchGlob('m1.py', 'm?.py')).toBe(true);
    expect(matchGlob('m12.py', 'm?.py')).toBe(false);
    expect(matchGlob('a/b', 'a?b')).toBe(false);
    expect(matchGlob('trainXpy', 'train.py')).toBe(false);
  });
  it('a leading ./ is ignored on either side', () => {
    expect(matchGlob('./train.py', 'train.py')).toBe(true);
    expect(matchesAny('train.py', ['./other.py', './train.py'])).toBe(true);
    expect(matchesAny('train.py', [])).toBe(false);
  });
});

describe('listMutable', () => {
  it('lists the files the globs name, minus frozen ones, without following symlinks', async () => {
    const { tree } = await import('./tree.js');
    const { listMutable } = await import('../../src/workspace/files.js');
    const { symlink } = await import('node:fs/promises');
    const dir = await tree({ 'train.py': '', 'eval.py': '', 'model/a.py': '', 'model/deep/b.py': '', 'model/c.txt': '', '.git/x.py': '' });
    await symlink(`${dir}/train.py`, `${dir}/model/link.py`);
    expect(await listMutable(dir, { mutable: ['*.py', 'model/**/*.py'], frozen: ['eval.py'] })).toEqual(['model/a.py', 'model/deep/b.py', 'train.py']);
  });
});
