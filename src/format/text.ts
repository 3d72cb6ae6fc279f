// Width-aware text for terminal views: cells a string takes, cutting and padding to a width, and
// runs of toned text. Pure functions, no React. Every width is in terminal cells, not UTF-16 code
// units.

/** What a piece of text means; the theme maps tones to colours (or to nothing under NO_COLOR). */
export type Tone =
  | 'normal'
  | 'dim'
  | 'accent'
  | 'good'
  | 'bad'
  | 'warn'
  | 'selected'
  | 'incumbent'
  | 'median'
  | 'threshold'
  | 'axis'
  | 'add'
  | 'del'
  | 'hunk'
  | 'file';

/** A stretch of text in one tone. A rendered line is `Run[]`. */
export interface Run {
  text: string;
  tone: Tone;
}

export const ELLIPSIS = '…';
/** One ASCII cell: `...` would cost three. */
export const ASCII_ELLIPSIS = '~';
export const EM_DASH = '—';

// ---------------------------------------------------------------------------------------------
// Terminal cell width

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}/u;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]/u;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

// East Asian Wide and Fullwidth blocks (UAX #11), the ones text realistically contains.
const WIDE_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff],
  [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

function graphemeWidth(g: string): number {
  const cp = g.codePointAt(0) ?? 0;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (ZERO_WIDTH.test(g)) return 0;
  // An emoji-presentation character, or any character forced to emoji style with VS16 (U+FE0F).
  if (EMOJI_PRESENTATION.test(g) || g.includes('\ufe0f')) return 2;
  for (const [lo, hi] of WIDE_RANGES) if (cp >= lo && cp <= hi) return 2;
  return 1;
}

/**
 * Cells a string takes in a terminal. Agrees with `string-width` (what ink measures with) on
 * ASCII, CJK and emoji; ambiguous-width characters (`●`, `│`, `…`) count as one cell, as ink
 * counts them.
 */
export function cellWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let w = 0;
  for (const { segment } of segmenter.segment(text)) w += graphemeWidth(segment);
  return w;
}

/** Cut `text` to at most `width` cells, ending in `…` (or `~` with `ascii`) when cut. */
export function truncate(text: string, width: number, ascii = false): string {
  const w = Math.max(0, Math.floor(width));
  if (cellWidth(text) <= w) return text;
  if (w === 0) return '';
  const ellipsis = ascii ? ASCII_ELLIPSIS : ELLIPSIS;
  if (PRINTABLE_ASCII.test(text)) return text.slice(0, w - 1) + ellipsis;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const gw = graphemeWidth(segment);
    if (used + gw > w - 1) break;
    out += segment;
    used += gw;
  }
  // A wide character that did not fit leaves one cell short: pad so the cut is still `width` wide.
  return out + ' '.repeat(w - 1 - used) + ellipsis;
}

/** Exactly `width` cells: truncated with an ellipsis, or padded on the right. */
export function padEnd(text: string, width: number, ascii = false): string {
  const w = Math.max(0, Math.floor(width));
  const t = truncate(text, w, ascii);
  return t + ' '.repeat(w - cellWidth(t));
}

/** Exactly `width` cells: truncated with an ellipsis, or padded on the left. */
export function padStart(text: string, width: number, ascii = false): string {
  const w = Math.max(0, Math.floor(width));
  const t = truncate(text, w, ascii);
  return ' '.repeat(w - cellWidth(t)) + t;
}

/** The text of a line of runs. */
export function lineText(line: ReadonlyArray<Run>): string {
  let s = '';
  for (const r of line) s += r.text;
  return s;
}

/** The width in cells of a line of runs. */
export function lineWidth(line: ReadonlyArray<Run>): number {
  return cellWidth(lineText(line));
}
