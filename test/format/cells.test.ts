import { describe, expect, it } from 'vitest';
import { formatDelta, formatNumber, formatScore, parseCompact, shortNumber } from '../../src/format/number.js';
import { describeParams } from '../../src/format/params.js';
import { sanitize } from '../../src/format/sanitize.js';
import { statusGlyph } from '../../src/format/status.js';
import { cellWidth, padEnd, padStart, truncate } from '../../src/format/text.js';
import { formatAgo, formatDuration } from '../../src/format/time.js';
import type { TrialStatus } from '../../src/types.js';

describe('cellWidth', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['日本語', 6],
    ['●│…▏█', 5],
    ['e\u0301', 1],
    ['👍', 2],
    ['✔\ufe0f', 2],
    ['a\tb', 2],
  ])('%j is %i cells', (s, w) => expect(cellWidth(s)).toBe(w));
});

describe('truncate / padEnd / padStart', () => {
  it.each([
    ['hello', 10, 'hello', 'hello     ', '     hello'],
    ['hello world', 8, 'hello w…', 'hello w…', 'hello w…'],
    ['hello', 5, 'hello', 'hello', 'hello'],
    ['hello', 1, '…', '…', '…'],
    ['hello', 0, '', '', ''],
    ['日本語のテキスト', 7, '日本語…', '日本語…', '日本語…'],
    // A wide character that does not fit leaves a blank before the ellipsis: still 6 cells.
    ['日本語のテキスト', 6, '日本 …', '日本 …', '日本 …'],
  ])('%j at %i', (s, w, cut, left, right) => {
    expect(truncate(s, w)).toBe(cut);
    expect(padEnd(s, w)).toBe(left);
    expect(padStart(s, w)).toBe(right);
    expect(cellWidth(padEnd(s, w))).toBe(w);
    expect(cellWidth(padStart(s, w))).toBe(w);
  });

  it('uses a one-cell ASCII ellipsis', () => {
    expect(truncate('hello world', 8, true)).toBe('hello w~');
  });

  it('removes escape sequences, shows other control characters as ? and keeps tabs', () => {
    expect(sanitize('a\x1b[31mb\rc\td')).toBe('ab?c\td');
  });
});

describe('statusGlyph', () => {
  const all: Array<[TrialStatus, string, string, string]> = [
    ['running', '▸', '>', 'accent'],
    ['queued', '…', '.', 'dim'],
    ['keep', '✓', '+', 'good'],
    ['discard', '·', '-', 'dim'],
    ['crash', '✗', 'x', 'bad'],
    ['timeout', 'T', 'T', 'warn'],
    ['pruned', '⊘', '%', 'dim'],
    ['killed', 'K', 'K', 'warn'],
    ['invalid', '!', '!', 'bad'],
    ['lost', '?', '?', 'bad'],
    ['dropped', '_', '_', 'dim'],
  ];
  it.each(all)('%s', (status, glyph, ascii, tone) => {
    const g = statusGlyph(status);
    expect(g).toEqual({ glyph, ascii, tone, label: status });
    expect(cellWidth(g.glyph)).toBe(1);
    expect(g.ascii).toMatch(/^[\x21-\x7e]$/);
    // Emoji-capable characters render two cells wide in many terminals; none allowed.
    expect(g.glyph).not.toMatch(/\p{Extended_Pictographic}/u);
    // Fits the 9-cell status column as "glyph label".
    expect(cellWidth(`${g.glyph} ${g.label}`)).toBeLessThanOrEqual(9);
  });

  it('falls back for an unknown status', () => {
    expect(statusGlyph('weird')).toEqual({ glyph: '?', ascii: '?', tone: 'dim', label: 'weird' });
    expect(statusGlyph('toString').glyph).toBe('?');
  });
});

describe('formatNumber', () => {
  it.each([
    [0, 3, '0'],
    [-0, 3, '0'],
    [0.123456, 3, '0.123'],
    [-0.5, 3, '-0.5'],
    [1.2e-4, 3, '1.2e-4'],
    [1.23456e-4, 3, '1.23e-4'],
    [0.00099996, 3, '0.001'],
    [0.001, 3, '0.001'],
    [1, 3, '1'],
    [123.456, 3, '123'],
    [999.6, 3, '1k'],
    [1000, 3, '1k'],
    [2500, 3, '2.5k'],
    [12345, 3, '12.3k'],
    [999999, 3, '1M'],
    [-4.5e6, 3, '-4.5M'],
    [1.5e15, 3, '1.5e15'],
    [123.456, 1, '123'],
    [NaN, 3, 'NaN'],
    [Infinity, 3, 'inf'],
    [-Infinity, 3, '-inf'],
  ])('%d to %i digits is %s', (x, d, want) => {
    expect(formatNumber(x, d)).toBe(want);
    // What it prints parses back to within half a unit in the last shown digit.
    if (Number.isFinite(x)) expect(Math.abs(parseCompact(want) - x)).toBeLessThanOrEqual(Math.abs(x) * 0.5 * 10 ** (1 - d) + 1e-12);
  });
});

describe('formatScore', () => {
  it.each([
    [null, '—'],
    [undefined, '—'],
    [0.123456, '0.1235'],
    [-2.5, '-2.5'],
    [12345.6, '12.35k'],
  ])('%s → %s', (x, want) => expect(formatScore(x)).toBe(want));
  it('ASCII dash for none', () => expect(formatScore(null, 4, true)).toBe('-'));
});

describe('formatDelta', () => {
  it.each([
    [0.5, 0.488, 'minimize', {}, '+0.012', 'bad'],
    [0.5, 0.488, 'maximize', {}, '+0.012', 'good'],
    [0.473, 0.488, 'minimize', { relative: true }, '-3.1%', 'good'],
    [0.473, 0.488, 'maximize', { relative: true }, '-3.1%', 'bad'],
    [0.488, 0.488, 'minimize', {}, '±0', 'dim'],
    [0.488, 0.488, 'minimize', { ascii: true }, '0', 'dim'],
    [null, 0.5, 'minimize', {}, '—', 'dim'],
    [0.5, null, 'minimize', {}, '—', 'dim'],
    [NaN, 0.5, 'minimize', {}, '—', 'dim'],
    [1, 0, 'minimize', { relative: true }, '+1', 'bad'],
    [1234, 1000, 'maximize', {}, '+234', 'good'],
  ] as const)('%s vs %s (%s, %j)', (x, best, goal, opts, text, tone) => {
    expect(formatDelta(x, best, goal, opts)).toEqual({ text, tone });
  });
});

describe('formatDuration / formatAgo', () => {
  it.each([
    [0, '0.0s', 'just now'],
    [850, '0.8s', 'just now'],
    [4_999, '4.9s', 'just now'],
    [9_999, '9.9s', '9s ago'],
    [12_000, '12s', '12s ago'],
    [59_999, '59s', '59s ago'],
    [185_000, '3m05s', '3m ago'],
    [3_720_000, '1h02m', '1h ago'],
    [47 * 3_600_000, '47h00m', '47h ago'],
    [100 * 3_600_000 + 5 * 60_000, '4d04h', '4d ago'],
    [-1, '—', 'just now'],
    [NaN, '—', '—'],
  ])('%i ms', (ms, duration, ago) => {
    expect(formatDuration(ms)).toBe(duration);
    expect(formatAgo(ms)).toBe(ago);
  });
  it('unknown duration', () => {
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(null)).toBe('—');
  });
});

describe('shortNumber', () => {
  it.each([
    [0.003, null, '3e-3'],
    [64, null, '64'],
    [0.1, null, '0.1'],
    [1000, null, '1000'],
    [1e6, null, '1e6'],
    [2.5e-5, null, '2.5e-5'],
    [-0.5, null, '-0.5'],
    [0.0031622776601683794, null, '0.0031622776601683794'],
    [0.0031622776601683794, 3, '0.00316'],
    [1 / 3, 2, '0.33'],
    [-0, null, '0'],
  ])('%d (sig %s) → %s', (x, sig, want) => {
    const s = shortNumber(x, sig);
    expect(s).toBe(want);
    if (sig === null) expect(Number(s)).toBe(x === 0 ? 0 : x);
  });
});

describe('describeParams', () => {
  const sampled = { lr: 0.0031622776601683794, wd: 1.2345678e-5, width: 64, act: 'relu', note: 'a b' };
  it.each([
    [{ lr: 0.003, width: 64, act: 'relu' }, 80, 'lr=3e-3 width=64 act=relu'],
    [{ flag: true, empty: '', eq: 'a=b' }, 80, 'flag=true empty="" eq="a=b"'],
    [sampled, 100, 'lr=0.0031622776601683794 wd=1.2345678e-5 width=64 act=relu note="a b"'],
    [sampled, 50, 'lr=0.00316 wd=1.23e-5 width=64 act=relu note="a b"'],
    [sampled, 40, 'lr=0.0032 wd=1.2e-5 width=64 act=relu n…'],
    [sampled, 20, 'lr=0.0032 wd=1.2e-5…'],
    [{}, 10, ''],
    [{ evil: 'x\x1b[2J' }, 80, 'evil=x'],
  ])('%j in %i', (params, width, want) => {
    const got = describeParams(params, width);
    expect(got).toBe(want);
    expect(cellWidth(got)).toBeLessThanOrEqual(width);
  });
});
