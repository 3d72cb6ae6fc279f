import { describe, expect, it } from 'vitest';
import { applyEdits } from '../../src/workspace/edits.js';
import { normalisedDigest, preflight } from '../../src/workspace/preflight.js';
import { TRAIN, tree } from './tree.js';
import { readdir } from 'node:fs/promises';

describe('preflight', () => {
  it('passes a file that compiles and leaves no __pycache__ behind', async () => {
    const dir = await tree({ 'train.py': TRAIN, 'notes.md': 'not python (' });
    expect(await preflight(dir, ['train.py', 'notes.md'])).toEqual({ ok: true });
    expect(await readdir(dir)).not.toContain('__pycache__');
  });

  it('reports the compiler message for an edit that breaks the syntax', async () => {
    const dir = await tree({ 'train.py': TRAIN });
    const r = await applyEdits(dir, [{ kind: 'search_replace', path: 'train.py', search: '    if step < warmup:', replace: '    if step < warmup' }], { mutable: ['train.py'], frozen: [] });
    expect(r).toEqual({ ok: true, files: ['train.py'] });
    const p = await preflight(dir, ['train.py']);
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.reason).toMatch(/^train\.py no longer compiles after the edit:/);
    expect(p.reason).toMatch(/SyntaxError/);
    expect(p.reason).toMatch(/line 6/);
  });

  it('checks nothing for other languages', async () => {
    const dir = await tree({ 'model.rs': 'fn main( {' });
    expect(await preflight(dir, ['model.rs'])).toEqual({ ok: true });
  });
});

describe('normalisedDigest', () => {
  it('two trees differing only in blank lines and spacing are duplicates; a real change is not', async () => {
    const a = await tree({ 'train.py': TRAIN, 'model/net.py': 'x = 1\n' });
    const b = await tree({ 'train.py': TRAIN.replace('base = 1e-3', 'base   =  1e-3  ').replace('\n\n', '\n\n\n'), 'model/net.py': '\nx = 1   \n\n' });
    const c = await tree({ 'train.py': TRAIN.replace('1e-3', '2e-3'), 'model/net.py': 'x = 1\n' });
    const files = ['train.py', 'model/net.py'];
    expect(await normalisedDigest(a, files)).toBe(await normalisedDigest(b, files));
    expect(await normalisedDigest(a, files)).not.toBe(await normalisedDigest(c, files));
  });

  it('keeps indentation: moving a line out of a block is not a duplicate', async () => {
    const a = await tree({ 'train.py': TRAIN });
    const b = await tree({ 'train.py': TRAIN.replace('        lr = lr_at(step)', '    lr = lr_at(step)') });
    expect(await normalisedDigest(a, ['train.py'])).not.toBe(await normalisedDigest(b, ['train.py']));
  });
});
