// Table cells and other small formatters: numbers, durations, status glyphs, width-aware padding.
// Pure functions, no React: numbers and widths in, strings (or runs of toned text) out. Every width
// is in terminal cells, not UTF-16 code units.
import type { Goal, Params, TrialStatus } from '../../src/types.js';
import { stripControls } from './sanitize.js';

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

/**
 * Text from trials, agents or diffs, safe to draw: escape sequences removed, other control
 * characters (except tab) shown as `?`, so nothing can move the cursor or restyle the screen.
 */
export function sanitize(text: string): string {
  return stripControls(text);
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

// ---------------------------------------------------------------------------------------------
// Status glyphs

export interface StatusGlyph {
  /** One cell, never an emoji (those render two cells wide in many terminals). */
  glyph: string;
  /** One ASCII cell, for NO_COLOR and dumb terminals. */
  ascii: string;
  tone: Tone;
  label: string;
}

// No character here has the Emoji property: `✔ ✖ ✂ ▶ ⏱ ☠` do, and many terminals draw them two
// cells wide while ink counts one, which shears the table. `⌛` is East Asian Wide outright.
const STATUS_GLYPHS: Record<TrialStatus, Omit<StatusGlyph, 'label'>> = {
  running: { glyph: '▸', ascii: '>', tone: 'accent' },
  queued: { glyph: '…', ascii: '.', tone: 'dim' },
  keep: { glyph: '✓', ascii: '+', tone: 'good' },
  discard: { glyph: '·', ascii: '-', tone: 'dim' },
  crash: { glyph: '✗', ascii: 'x', tone: 'bad' },
  timeout: { glyph: 'T', ascii: 'T', tone: 'warn' },
  pruned: { glyph: '⊘', ascii: '%', tone: 'dim' },
  killed: { glyph: 'K', ascii: 'K', tone: 'warn' },
  invalid: { glyph: '!', ascii: '!', tone: 'bad' },
  lost: { glyph: '?', ascii: '?', tone: 'bad' },
  dropped: { glyph: '_', ascii: '_', tone: 'dim' },
};

export function statusGlyph(status: TrialStatus | string): StatusGlyph {
  const g = Object.prototype.hasOwnProperty.call(STATUS_GLYPHS, status)
    ? STATUS_GLYPHS[status as TrialStatus]
    : { glyph: '?', ascii: '?', tone: 'dim' as const };
  return { ...g, label: status };
}

// ---------------------------------------------------------------------------------------------
// Numbers

const SUFFIXES = ['', 'k', 'M', 'G', 'T'];
const SMALLEST_PLAIN = 1e-3;

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function exponential(a: number, digits: number): string {
  const [mantissa, exp] = a.toExponential(digits - 1).split('e');
  return `${stripZeros(mantissa)}e${exp.replace('+', '')}`;
}

/** `v` in [0, 1000) to `digits` significant digits, or null when it rounds up to 1000. */
function plain(v: number, digits: number): string | null {
  if (v >= 10 ** digits) {
    const r = Math.round(v);
    return r >= 1000 ? null : String(r);
  }
  const s = v.toPrecision(digits);
  const n = Number(s);
  if (n >= 1000) return null;
  return stripZeros(s.includes('e') ? String(n) : s);
}

/**
 * Compact number: `digits` significant digits, k/M/G/T suffixes from 1,000, exponent form below
 * 0.001 and from 1e15. `0.123`, `1.23e-4`, `12.3k`, `-4.5M`, `inf`, `NaN`.
 */
export function formatNumber(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return '0';
  const d = Math.min(17, Math.max(1, Math.round(digits)));
  const sign = x < 0 ? '-' : '';
  const a = Math.abs(x);
  if (a < SMALLEST_PLAIN) {
    const e = exponential(a, d);
    // 0.0009996 rounds to 1e-3, which reads better as 0.001.
    return sign + (Number(e) >= SMALLEST_PLAIN ? '0.001' : e);
  }
  for (let tier = Math.max(0, Math.floor(Math.log10(a) / 3)); tier < SUFFIXES.length; tier++) {
    const s = plain(a / 1000 ** tier, d);
    if (s !== null) return sign + s + SUFFIXES[tier];
  }
  return sign + exponential(a, d);
}

/** Parses what `formatNumber` prints (used to pick tick-label precision). */
export function parseCompact(s: string): number {
  const m = /^(-?[\d.]+(?:e-?\d+)?)([kMGT]?)$/.exec(s);
  if (!m) return s === 'inf' ? Infinity : s === '-inf' ? -Infinity : NaN;
  return Number(m[1]) * 1000 ** SUFFIXES.indexOf(m[2]);
}

/** A score for a table cell: compact, sign kept, `—` (ASCII `-`) when there is none. */
export function formatScore(x: number | null | undefined, digits = 4, ascii = false): string {
  if (x === null || x === undefined) return ascii ? '-' : EM_DASH;
  return formatNumber(x, digits);
}

export interface DeltaOptions {
  /** Percent of |best| instead of the absolute difference. */
  relative?: boolean;
  digits?: number;
  ascii?: boolean;
}

/**
 * How far `x` is from the best score: `+0.012`, `-3.1%`. Tone `good` when better than the best,
 * `bad` when worse, `dim` when equal or unknown.
 */
export function formatDelta(
  x: number | null | undefined,
  best: number | null | undefined,
  goal: Goal,
  opts: DeltaOptions = {},
): { text: string; tone: Tone } {
  const digits = opts.digits ?? 2;
  if (x === null || x === undefined || best === null || best === undefined || !Number.isFinite(x) || !Number.isFinite(best)) {
    return { text: opts.ascii ? '-' : EM_DASH, tone: 'dim' };
  }
  const d = x - best;
  if (d === 0) return { text: opts.ascii ? '0' : '±0', tone: 'dim' };
  const better = goal === 'minimize' ? d < 0 : d > 0;
  const sign = d > 0 ? '+' : '-';
  const text =
    opts.relative && best !== 0
      ? `${sign}${formatNumber((Math.abs(d) / Math.abs(best)) * 100, digits)}%`
      : `${sign}${formatNumber(Math.abs(d), digits)}`;
  return { text, tone: better ? 'good' : 'bad' };
}

// ---------------------------------------------------------------------------------------------
// Time

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Below this, `formatAgo` says "just now" (events in the same refresh or two). */
const JUST_NOW_MS = 5 * SECOND;

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** Elapsed time, floored like a clock: `0.8s`, `12s`, `3m05s`, `1h02m`, `3d04h`; `—` when unknown. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return EM_DASH;
  if (ms < 10 * SECOND) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  const s = Math.floor(ms / SECOND);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
  const m = Math.floor(s / 60);
  if (m < 100 * 60) return `${Math.floor(m / 60)}h${pad2(m % 60)}m`;
  const h = Math.floor(m / 60);
  return `${Math.floor(h / 24)}d${pad2(h % 24)}h`;
}

/** How long ago: `just now`, `12s ago`, `5m ago`, `2h ago`, `3d ago`. */
export function formatAgo(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return EM_DASH;
  // A negative age is clock skew between hosts, not the future.
  if (ms < JUST_NOW_MS) return 'just now';
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)}s ago`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m ago`;
  if (ms < 2 * DAY) return `${Math.floor(ms / HOUR)}h ago`;
  return `${Math.floor(ms / DAY)}d ago`;
}

// ---------------------------------------------------------------------------------------------
// Params

/** Integers below this print in full (`batch=1000`, not `1e3`). */
const PLAIN_INTEGER_LIMIT = 1e6;
/** Significant digits tried, in order, when the faithful description does not fit. */
const PARAM_PRECISIONS: ReadonlyArray<number | null> = [null, 4, 3, 2];

/**
 * The shortest text for a number: faithful (parses back to the same double) when `sig` is null,
 * else rounded to `sig` significant digits. `3e-3`, `0.1`, `64`, `1e6`, `2.5e-5`.
 */
export function shortNumber(x: number, sig: number | null = null): string {
  if (!Number.isFinite(x)) return formatNumber(x);
  if (Object.is(x, -0) || x === 0) return '0';
  if (Number.isInteger(x) && Math.abs(x) < PLAIN_INTEGER_LIMIT) return String(x);
  let p = sig ?? 17;
  if (sig === null) {
    for (let i = 1; i <= 17; i++) {
      if (Number(x.toPrecision(i)) === x) {
        p = i;
        break;
      }
    }
  }
  const rounded = Number(x.toPrecision(p));
  const asPlain = String(rounded);
  const [mantissa, exp] = rounded.toExponential().split('e');
  const asExp = `${mantissa}e${exp.replace('+', '')}`;
  return asExp.length < asPlain.length ? asExp : asPlain;
}

function paramValue(v: Params[string], sig: number | null): string {
  if (typeof v === 'number') return shortNumber(v, sig);
  if (typeof v === 'boolean') return String(v);
  const s = sanitize(v);
  return s === '' || /[\s=]/.test(s) ? JSON.stringify(s) : s;
}

/**
 * `lr=3e-3 width=64 act=relu` in at most `width` cells. Numbers are faithful when that fits, else
 * rounded (4, 3, then 2 significant digits) so every key stays visible; only then truncated.
 * `maxDigits` caps the precision even when the faithful text would fit (a sampled 0.0017894136605
 * reads as 0.001789).
 */
export function describeParams(params: Params, width: number, ascii = false, maxDigits?: number): string {
  const entries = Object.entries(params);
  let text = '';
  const precisions = maxDigits === undefined ? PARAM_PRECISIONS : PARAM_PRECISIONS.filter((p) => p !== null && p <= maxDigits);
  for (const sig of precisions.length ? precisions : [Math.max(1, Math.round(maxDigits ?? 2))]) {
    text = entries.map(([k, v]) => `${sanitize(k)}=${paramValue(v, sig)}`).join(' ');
    if (cellWidth(text) <= width) return text;
  }
  return truncate(text, width, ascii);
}
