import { describe, expect, it } from 'vitest';
import { wrapText } from '../../src/format/wrap.js';
import { cellWidth } from '../../src/format/text.js';

describe('wrapText', () => {
  it.each([
    ['short', 10, {}, ['short']],
    ['', 10, {}, ['']],
    ['hello world again', 11, {}, ['hello world', 'again']],
    ['  indented text stays', 12, {}, ['  indented', 'text stays']],
    ['abcdefghijklmnop', 5, {}, ['abcde', 'fghij', 'klmno', 'p']],
    ['a  b   c', 20, {}, ['a  b   c']],
    ['one\n\ntwo', 10, {}, ['one', '', 'two']],
    ['alpha beta gamma', 10, { first: '> ', rest: '  ' }, ['> alpha', '  beta', '  gamma']],
    ['one two three four five', 9, { maxRows: 2 }, ['one two', 'three…']],
    ['漢字漢字漢字', 5, {}, ['漢字', '漢字', '漢字']],
  ])('%j in %i %j', (text, width, opts, want) => {
    const rows = wrapText(text, width, opts);
    expect(rows).toEqual(want);
    for (const r of rows) expect(cellWidth(r)).toBeLessThanOrEqual(width);
  });

  it('loses no word', () => {
    const text = Array.from({ length: 60 }, (_, i) => `w${i}${'x'.repeat(i % 13)}`).join(' ');
    for (const width of [7, 20, 33, 80]) {
      const rows = wrapText(text, width);
      expect(rows.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
      for (const r of rows) expect(cellWidth(r)).toBeLessThanOrEqual(width);
    }
  });
});
