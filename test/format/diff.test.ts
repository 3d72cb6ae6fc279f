import { describe, expect, it } from 'vitest';
import { colorDiff, diffStats } from '../../src/format/diff.js';
import { cellWidth, type Run } from '../../src/format/text.js';

const GIT_DIFF = [
  'diff --git a/train.py b/train.py',
  'index 1a2b3c4..5d6e7f8 100644',
  '--- a/train.py',
  '+++ b/train.py',
  '@@ -1,4 +1,4 @@ def main():',
  ' import torch',
  '-lr = 1e-3',
  '--- a removed line that looks like a header',
  '+lr = 3e-3',
  '+\tmomentum = 0.9',
  ' ',
  '\\ No newline at end of file',
  'diff --git a/model.py b/model.py',
  '--- a/model.py',
  '+++ b/model.py',
  '@@ -10 +10,2 @@',
  '-width = 32',
  '+width = 64',
  '+++ an added line that looks like a header',
  '',
].join('\n');

const flat = (lines: Run[][]): Array<[string, string]> => lines.map((l) => (l.length ? [l[0].text, l[0].tone] : ['', 'normal']));

describe('colorDiff', () => {
  it('tones each line by its kind, expands tabs, truncates to width', () => {
    expect(flat(colorDiff(GIT_DIFF, 30))).toEqual([
      ['diff --git a/train.py b/train…', 'file'],
      ['index 1a2b3c4..5d6e7f8 100644', 'file'],
      ['--- a/train.py', 'file'],
      ['+++ b/train.py', 'file'],
      ['@@ -1,4 +1,4 @@ def main():', 'hunk'],
      [' import torch', 'normal'],
      ['-lr = 1e-3', 'del'],
      ['--- a removed line that looks…', 'del'],
      ['+lr = 3e-3', 'add'],
      ['+   momentum = 0.9', 'add'],
      [' ', 'normal'],
      ['\\ No newline at end of file', 'dim'],
      ['diff --git a/model.py b/model…', 'file'],
      ['--- a/model.py', 'file'],
      ['+++ b/model.py', 'file'],
      ['@@ -10 +10,2 @@', 'hunk'],
      ['-width = 32', 'del'],
      ['+width = 64', 'add'],
      ['+++ an added line that looks …', 'add'],
    ]);
  });

  it.each([
    ['CRLF line ends', 'a\r\n+b\r\n', [['a', 'normal'], ['+b', 'add']]],
    ['tab stops', '@@ -1 +1 @@\n-\tx\n+\t\ty', [['@@ -1 +1 @@', 'hunk'], ['-   x', 'del'], ['+       y', 'add']]],
    ['control characters', ' a\x1b[2Jb\x07c', [[' ab?c', 'normal']]],
    ['headerless fragment', '+new\n-old\n ctx', [['+new', 'add'], ['-old', 'del'], [' ctx', 'normal']]],
    ['hunk without counts', '@@ x @@\n--- gone\n+++ b/f', [['@@ x @@', 'hunk'], ['--- gone', 'file'], ['+++ b/f', 'file']]],
    ['empty', '', []],
  ])('%s', (_name, diff, want) => {
    expect(flat(colorDiff(diff, 40))).toEqual(want);
  });

  it('never exceeds the width, wide characters included', () => {
    const lines = colorDiff('+日本語のコメント行です\n-\t\t\tdeep\n@@ -1,2 +1,2 @@ a long hunk header', 9);
    for (const l of lines) expect(cellWidth(l.map((r) => r.text).join(''))).toBeLessThanOrEqual(9);
    expect(flat(lines)).toEqual([
      ['+日本語 …', 'add'],
      ['-       …', 'del'],
      ['@@ -1,2 …', 'hunk'],
    ]);
  });

  it('uses the ASCII ellipsis and a custom tab size', () => {
    expect(flat(colorDiff('+\tabcdefgh', 8, { ascii: true, tabSize: 2 }))).toEqual([['+ abcde~', 'add']]);
  });
});

describe('diffStats', () => {
  it.each([
    ['a git diff', GIT_DIFF, { files: 2, added: 4, removed: 3 }],
    ['a plain diff -u', '--- a.txt\n+++ b.txt\n@@ -1 +1 @@\n-a\n+b\n', { files: 1, added: 1, removed: 1 }],
    ['empty', '', { files: 0, added: 0, removed: 0 }],
    ['a new file', 'diff --git a/n b/n\nnew file mode 100644\n--- /dev/null\n+++ b/n\n@@ -0,0 +1,2 @@\n+x\n+y\n', { files: 1, added: 2, removed: 0 }],
  ])('%s', (_name, diff, want) => expect(diffStats(diff)).toEqual(want));
});
