// The number printers every view shares: the plain form journaled reasons use (frozen: these are
// the outputs of the keep/discard module's old `fmt`), dollars and tokens.
import { describe, expect, it } from 'vitest';
import { formatPlain, formatTokens, formatUsd } from '../../src/format/number.js';

describe('formatPlain (journaled reasons)', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [0.5, '0.5'],
    [0.123456, '0.12346'],
    [1.75774, '1.7577'],
    [-2.5, '-2.5'],
    [1234.5678, '1234.6'],
    [999999.4, '1000000'],
    [1e6, '1.000e+6'],
    [2.5e6, '2.500e+6'],
    [0.001, '0.001'],
    [0.00099996, '1.000e-3'],
    [1e-4, '1.000e-4'],
    [-3.2e-7, '-3.200e-7'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [null, '—'],
    [undefined, '—'],
  ])('%s → %s', (x, want) => {
    expect(formatPlain(x)).toBe(want);
  });

  it('takes the significant digits', () => {
    expect(formatPlain(1.75774, 3)).toBe('1.76');
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [0.42, '$0.42'],
    [3.1, '$3.10'],
    [12.345, '$12.35'],
    [999.99, '$999.99'],
    [1234.5, '$1235'],
    [0.0031, '$0.0031'],
    [0.000012345, '$0.000012'],
    [0.005, '$0.005'],
    [-1.5, '-$1.50'],
    [NaN, '—'],
    [Infinity, '—'],
    [null, '—'],
    [undefined, '—'],
  ])('%s → %s', (x, want) => {
    expect(formatUsd(x)).toBe(want);
  });

  it.each([
    [20, '$20'],
    [20.5, '$20.50'],
    [5000, '$5000'],
    [0, '$0'],
  ])('whole: %s → %s', (x, want) => {
    expect(formatUsd(x, { whole: true })).toBe(want);
  });
});

describe('formatTokens', () => {
  it.each([
    [0, '0'],
    [950, '950'],
    [999.4, '999'],
    [999.6, '1k'],
    [1000, '1k'],
    [12_345, '12.3k'],
    [1_500_000, '1.5M'],
    [2.25e9, '2.25G'],
    [-1, '—'],
    [NaN, '—'],
    [null, '—'],
    [undefined, '—'],
  ])('%s → %s', (x, want) => {
    expect(formatTokens(x)).toBe(want);
  });
});
