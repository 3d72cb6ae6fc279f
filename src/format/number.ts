// Numbers for people: the compact form views print (`12.3k`, `1.23e-4`), scores and deltas, the
// shortest faithful form parameters print, the plain form journaled reasons use, dollars and
// tokens. Pure.
import type { Goal } from '../types.js';
import { EM_DASH, type Tone } from './text.js';

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

/** Integers below this print in full (`batch=1000`, not `1e3`). */
const PLAIN_INTEGER_LIMIT = 1e6;

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

/**
 * The plain form written into journaled reasons (`improved loss 0.52345 → 0.41234`, constraint and
 * target messages): `digits` significant digits, no suffixes, exponent form (`1.000e-4`,
 * `2.500e+6`) outside [0.001, 1e6); `—` when there is none. Frozen on purpose: a reason is
 * journaled text that `export` prints as is, so changing this would make new runs export
 * differently from old ones.
 */
export function formatPlain(x: number | null | undefined, digits = 5): string {
  if (x === null || x === undefined) return EM_DASH;
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < SMALLEST_PLAIN || a >= 1e6)) return x.toExponential(3);
  return Number(x.toPrecision(digits)).toString();
}

/** Below this many dollars (a cent), `formatUsd` keeps two significant digits instead of cents. */
const CENT = 0.01;

/**
 * Dollars: `$0.42`, `$12.30`, whole dollars from 1,000 (`$1235`), two significant digits below a
 * cent (`$0.0031`, what one LLM call costs), `-$1.50`; `—` when unknown. `whole` drops the cents of
 * a round amount (`$20`, a budget's limit as the user wrote it).
 */
export function formatUsd(x: number | null | undefined, opts: { whole?: boolean } = {}): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return EM_DASH;
  const sign = x < 0 ? '-' : '';
  const a = Math.abs(x);
  if (a >= 1000) return `${sign}$${Math.round(a)}`;
  if (opts.whole && Number.isInteger(a)) return `${sign}$${a}`;
  if (a > 0 && a < CENT) return `${sign}$${stripZeros(a.toPrecision(2))}`;
  return `${sign}$${a.toFixed(2)}`;
}

/** Token counts: whole below 1,000, then compact (`12.3k`, `1.5M`); `—` when unknown or negative. */
export function formatTokens(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return EM_DASH;
  const r = Math.round(n);
  return r < 1000 ? String(r) : formatNumber(r, 3);
}
