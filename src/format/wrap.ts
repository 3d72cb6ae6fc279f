// Word wrap by terminal cells, done before ink sees the text: a view that knows how many rows each
// line takes can scroll and size itself exactly (ink's own wrapping happens after layout, so a
// wrapped line silently pushed the last rows of a fixed-height box off screen).
import { cellWidth } from './text.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Splits a word wider than `width` into pieces of at most `width` cells (also: hard-wrapping code). */
export function breakWord(word: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  let used = 0;
  for (const { segment } of segmenter.segment(word)) {
    const w = cellWidth(segment);
    if (used + w > width && cur) {
      out.push(cur);
      cur = '';
      used = 0;
    }
    cur += segment;
    used += w;
  }
  if (cur) out.push(cur);
  return out;
}

export interface WrapOptions {
  /** Put before the first row (counted in its width). */
  first?: string;
  /** Put before every later row (a hanging indent). */
  rest?: string;
  /** At most this many rows; the last one then ends in `…`. */
  maxRows?: number;
}

/**
 * `text` as rows of at most `width` cells, broken at spaces, words longer than a row broken
 * anywhere. Runs of spaces inside a row are kept (aligned output stays aligned); the spaces at a
 * break are dropped. Newlines in `text` start a new row. Always at least one row.
 */
export function wrapText(text: string, width: number, opts: WrapOptions = {}): string[] {
  const first = opts.first ?? '';
  const rest = opts.rest ?? '';
  const rows: string[] = [];
  let prefix = first;
  let row = '';
  const avail = () => Math.max(1, width - cellWidth(prefix));
  const flush = () => {
    rows.push(prefix + row.replace(/\s+$/, ''));
    prefix = rest;
    row = '';
  };
  for (const para of text.split('\n')) {
    let paraStart = true;
    // Words with the spaces before them, so inner spacing survives.
    for (const m of para.matchAll(/(\s*)(\S+)/g)) {
      const gap = m[1];
      const word = m[2];
      // A paragraph's indentation is kept; the spaces where a row breaks are not.
      const lead = row === '' && !paraStart ? '' : gap;
      paraStart = false;
      if (cellWidth(row + lead + word) <= avail()) {
        row += lead + word;
        continue;
      }
      if (row !== '') flush();
      const pieces = cellWidth(word) > avail() ? breakWord(word, avail()) : [word];
      pieces.forEach((p, i) => {
        if (i > 0) flush();
        row = p;
      });
    }
    flush();
  }
  if (opts.maxRows !== undefined && rows.length > opts.maxRows) {
    const keep = rows.slice(0, Math.max(1, opts.maxRows));
    const last = keep[keep.length - 1];
    keep[keep.length - 1] = (cellWidth(last) >= width ? [...last].slice(0, -1).join('') : last) + '…';
    return keep;
  }
  return rows;
}
