import { readdir, symlink, mkdtemp, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyEdits, type Edit } from '../../src/workspace/edits.js';
import { read, TRAIN, tree } from './tree.js';

const RULES = { mutable: ['train.py', 'model/*.py'], frozen: ['eval.py'] };

const diff = (...lines: string[]): Edit => ({ kind: 'diff', text: lines.join('\n') + '\n' });

describe('applyEdits: unified diffs', () => {
  it('applies a clean diff', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [diff('--- a/train.py', '+++ b/train.py', '@@ -4,3 +4,3 @@', '     base = 1e-3', '-    warmup = 100', '+    warmup = 500', '     if step < warmup:')], RULES);
    expect(r).toEqual({ ok: true, files: ['train.py'] });
    expect(await read(dir, 'train.py')).toBe(TRAIN.replace('warmup = 100', 'warmup = 500'));
  });

  it('applies a hunk whose line numbers are off, by its context', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [diff(
      '--- a/train.py', '+++ b/train.py',
      '@@ -1,2 +1,3 @@', ' import math', '+import random', ' ',
      '@@ -40,3 +41,3 @@', ' def main():', '-    for step in range(1000):', '+    for step in range(2000):', '         lr = lr_at(step)',
    )], RULES);
    expect(r.ok).toBe(true);
    const text = await read(dir, 'train.py');
    expect(text).toContain('import math\nimport random\n\ndef lr_at');
    expect(text).toContain('range(2000)');
    expect(text).not.toContain('range(1000)');
  });

  it('a hunk that does not match fails naming the hunk, and nothing is written', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [diff(
      '--- a/train.py', '+++ b/train.py',
      '@@ -1,1 +1,1 @@', '-import math', '+import math, os',
      '@@ -11,1 +11,1 @@', '-    for epoch in range(10):', '+    for epoch in range(20):',
    )], RULES);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/hunk 2 of 2 for train\.py \(@@ -11,1 \+11,1 @@\) did not match/);
    expect(r.feedback).toContain('for epoch in range(10)');
    expect(r.feedback).toMatch(/closest lines of train\.py \(lines 11-11\)[^]*  11 \|     for step in range\(1000\):/);
    expect(await read(dir, 'train.py')).toBe(TRAIN);
  });

  it('creates and deletes mutable files, and refuses creating a non-mutable one', async () => {
    const dir = await tree({ 'train.py': TRAIN, 'model/old.py': 'x = 1\n' });
    const r = await applyEdits(dir, [diff('--- /dev/null', '+++ b/model/new.py', '@@ -0,0 +1,2 @@', '+def f():', '+    return 1', '--- a/model/old.py', '+++ /dev/null', '@@ -1,1 +0,0 @@', '-x = 1')], RULES);
    expect(r).toEqual({ ok: true, files: ['model/new.py', 'model/old.py'] });
    expect(await read(dir, 'model/new.py')).toBe('def f():\n    return 1\n');
    expect((await readdir(path.join(dir, 'model'))).sort()).toEqual(['new.py']);
    const bad = await applyEdits(dir, [diff('--- /dev/null', '+++ b/helpers.py', '@@ -0,0 +1 @@', '+y = 2')], RULES);
    expect(bad.ok === false && bad.reason).toMatch(/helpers\.py, which is not mutable/);
  });
});

describe('applyEdits: SEARCH/REPLACE', () => {
  const sr = (search: string[], replace: string[], p = 'train.py'): Edit => ({ kind: 'search_replace', path: p, search: search.join('\n'), replace: replace.join('\n') });

  it('replaces an exact match', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [sr(['    base = 1e-3'], ['    base = 3e-3'])], RULES);
    expect(r).toEqual({ ok: true, files: ['train.py'] });
    expect(await read(dir, 'train.py')).toBe(TRAIN.replace('1e-3', '3e-3'));
  });

  it('matches drifted indentation and whitespace, and re-indents the replacement', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [sr(
      ['if step <  warmup:', '    return base*step / warmup'.replace('base*step', 'base * step')],
      ['if step < warmup:', '    return base * (step + 1) / warmup'],
    )], RULES);
    expect(r.ok).toBe(true);
    expect(await read(dir, 'train.py')).toBe(TRAIN.replace('        return base * step / warmup', '        return base * (step + 1) / warmup'));
  });

  it('not found: the feedback shows the closest lines of the file', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [sr(['    warmup = 200', '    if step <= warmup:'], ['    warmup = 300'])], RULES);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('the SEARCH text of a SEARCH/REPLACE block was not found in train.py.');
    expect(r.feedback).toContain('closest lines of train.py (lines 5-6)');
    expect(r.feedback).toContain('   5 |     warmup = 100');
    expect(r.feedback).toContain('   6 |     if step < warmup:');
    expect(await read(dir, 'train.py')).toBe(TRAIN);
  });

  it('an empty SEARCH creates a new mutable file', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [sr([], ['W = 2'], 'model/w.py')], RULES);
    expect(r).toEqual({ ok: true, files: ['model/w.py'] });
    expect(await read(dir, 'model/w.py')).toBe('W = 2\n');
  });
});

describe('applyEdits: rewrites and refusals', () => {
  it('a rewrite replaces the file', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [{ kind: 'rewrite', path: 'train.py', content: 'print("loss: 0.1")\n' }], RULES);
    expect(r).toEqual({ ok: true, files: ['train.py'] });
    expect(await read(dir, 'train.py')).toBe('print("loss: 0.1")\n');
  });

  it('an edit that changes nothing is refused', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [{ kind: 'rewrite', path: 'train.py', content: TRAIN }], RULES);
    expect(r.ok === false && r.reason).toMatch(/leave every file exactly as it was/);
  });

  it('refuses path traversal before touching anything', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [
      { kind: 'rewrite', path: 'train.py', content: 'changed\n' },
      { kind: 'rewrite', path: '../evil.py', content: 'import os\n' },
    ], { mutable: ['**'], frozen: [] });
    expect(r.ok === false && r.reason).toMatch(/\.\.\/evil\.py, which uses "\.\." to leave the repository/);
    expect(await read(dir, 'train.py')).toBe(TRAIN);
    await expect(readFile(path.join(dir, '..', 'evil.py'))).rejects.toThrow();
  });

  it('refuses an absolute path, also inside a diff header', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const abs = path.join(dir, 'train.py');
    const r = await applyEdits(dir, [{ kind: 'rewrite', path: abs, content: 'x\n' }], { mutable: ['**'], frozen: [] });
    expect(r.ok === false && r.reason).toMatch(/absolute path/);
    const d = await applyEdits(dir, [diff('--- /etc/passwd', '+++ /etc/passwd', '@@ -1 +1 @@', '-root', '+evil')], { mutable: ['**'], frozen: [] });
    expect(d.ok === false && d.reason).toMatch(/absolute path \(\/etc\/passwd\)/);
    expect(await read(dir, 'train.py')).toBe(TRAIN);
  });

  it('refuses a path through a symlinked directory that leads outside', async () => {
    const outside = await mkdtemp(path.join(tmpdir(), 'ns-outside-'));
    await writeFile(path.join(outside, 'net.py'), 'secret = 1\n');
    const dir = await tree({ 'train.py': TRAIN });
    await symlink(outside, path.join(dir, 'model'));
    const r = await applyEdits(dir, [{ kind: 'rewrite', path: 'model/net.py', content: 'pwned = 1\n' }], RULES);
    expect(r.ok === false && r.reason).toMatch(/parent model is a symlink that leads outside the repository/);
    expect(await readFile(path.join(outside, 'net.py'), 'utf8')).toBe('secret = 1\n');
  });

  it('refuses a symlinked file, and a mutable name that resolves to a frozen file', async () => {
    const dir = await tree({ 'train.py': TRAIN, 'eval.py': 'SCORE = 1\n', 'frozen/x.py': 'y = 1\n' });
    await symlink(path.join(dir, 'eval.py'), path.join(dir, 'model.py'));
    const r = await applyEdits(dir, [{ kind: 'rewrite', path: 'model.py', content: 'x\n' }], { mutable: ['*.py'], frozen: ['eval.py'] });
    expect(r.ok === false && r.reason).toMatch(/model\.py, which is a symlink/);
    await symlink(path.join(dir, 'frozen'), path.join(dir, 'model'));
    const via = await applyEdits(dir, [{ kind: 'rewrite', path: 'model/x.py', content: 'x\n' }], { mutable: ['model/*.py'], frozen: ['frozen/**'] });
    expect(via.ok === false && via.reason).toMatch(/frozen\/x\.py, a frozen file/);
    expect(await read(dir, 'eval.py')).toBe('SCORE = 1\n');
    expect(await read(dir, 'frozen/x.py')).toBe('y = 1\n');
  });

  it('refuses a frozen file and a file outside mutable, leaving both unchanged', async () => {
    const dir = await tree({ 'train.py': TRAIN, 'eval.py': 'SCORE = 1\n', 'data.py': 'N = 10\n' });
    const frozen = await applyEdits(dir, [diff('--- a/eval.py', '+++ b/eval.py', '@@ -1 +1 @@', '-SCORE = 1', '+SCORE = 99')], { mutable: ['*.py'], frozen: ['eval.py'] });
    expect(frozen).toEqual({ ok: false, reason: 'the edit touches eval.py, a frozen file.', feedback: expect.stringContaining('Only these files may change: *.py') });
    const other = await applyEdits(dir, [{ kind: 'search_replace', path: 'data.py', search: 'N = 10', replace: 'N = 20' }], RULES);
    expect(other.ok === false && other.reason).toBe('the edit touches data.py, which is not mutable (mutable: train.py, model/*.py).');
    expect(await read(dir, 'eval.py')).toBe('SCORE = 1\n');
    expect(await read(dir, 'data.py')).toBe('N = 10\n');
  });
});

describe('applyEdits: more SEARCH/REPLACE tolerance and odd paths', () => {
  it('a SEARCH that drops a blank line still matches', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [{ kind: 'search_replace', path: 'train.py', search: '    return base\ndef main():', replace: '    return base * 2\n\ndef main():' }], RULES);
    expect(r.ok).toBe(true);
    expect(await read(dir, 'train.py')).toBe(TRAIN.replace('    return base\n', '    return base * 2\n'));
  });

  it('a path that is a directory is refused, not written', async () => {
    const dir = await tree({ 'model/a.py': 'x = 1\n' });
    const r = await applyEdits(dir, [{ kind: 'rewrite', path: 'model', content: 'x\n' }], { mutable: ['**'], frozen: [] });
    expect(r.ok === false && r.reason).toBe('the edit names model, which is a directory, not a file.');
  });
});

describe('applyEdits: re-indenting keeps relative indentation', () => {
  it('a SEARCH written too deep is matched and the replacement shifted back', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [{ kind: 'search_replace', path: 'train.py', search: '        def main():\n            for step in range(1000):', replace: '        def main():\n            print("start")\n            for step in range(1000):' }], RULES);
    expect(r.ok).toBe(true);
    expect(await read(dir, 'train.py')).toContain('\ndef main():\n    print("start")\n    for step in range(1000):\n');
  });
});

describe('applyEdits: ambiguity and hunk order', () => {
  it('a SEARCH that occurs twice is refused with both line numbers', async () => {
    const dir = await tree({ 'train.py': 'x = 1\ny = 2\nx = 1\n' });
    const r = await applyEdits(dir, [{ kind: 'search_replace', path: 'train.py', search: 'x = 1', replace: 'x = 3' }], RULES);
    expect(r.ok === false && r.reason).toMatch(/occurs more than once in train\.py \(at lines 1 and 3\)/);
    expect(await read(dir, 'train.py')).toBe('x = 1\ny = 2\nx = 1\n');
  });

  it('a later hunk with repeated context lands after the earlier one, not on it', async () => {
    const dir = await tree({ 'train.py': 'a\nx = 1\nb\nx = 1\nc\n' });
    // The second header's line number is wrong; the nearest match would be the first hunk's own line.
    const r = await applyEdits(dir, [diff('--- a/train.py', '+++ b/train.py', '@@ -2,1 +2,2 @@', ' x = 1', '+y = 0', '@@ -1,1 +1,1 @@', '-x = 1', '+x = 3')], RULES);
    expect(r.ok).toBe(true);
    expect(await read(dir, 'train.py')).toBe('a\nx = 1\ny = 0\nb\nx = 3\nc\n');
  });
});
