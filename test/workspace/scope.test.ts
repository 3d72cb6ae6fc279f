// The scope rule of a code trial, without git: mutable globs allow, frozen globs forbid.
import { describe, expect, it } from 'vitest';
import { checkScope } from '../../src/workspace/scope.js';

describe('checkScope', () => {
  const scope = { mutable: ['src/**/*.py', 'train.py'], frozen: ['src/eval/**', 'data/**'] };
  it('passes files under the mutable globs', () => {
    expect(checkScope(['train.py', 'src/model.py', 'src/a/b.py'], scope)).toEqual([]);
  });
  it('reports frozen before outside, even when a frozen file also matches a mutable glob', () => {
    expect(checkScope(['src/eval/score.py', 'data/x.csv', 'README.md', '../other/train.py'], scope)).toEqual([
      { path: 'src/eval/score.py', reason: 'frozen' },
      { path: 'data/x.csv', reason: 'frozen' },
      { path: 'README.md', reason: 'outside' },
      { path: '../other/train.py', reason: 'outside' },
    ]);
  });
});
