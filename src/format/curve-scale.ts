// The chart's scales: nice y ticks (linear or log), x ticks on steps, and tick labels with just
// enough digits to tell neighbours apart. Pure.
import { formatNumber, parseCompact } from './number.js';
import { cellWidth } from './text.js';

/** At most this many y intervals (5 tick labels). */
const MAX_Y_INTERVALS = 4;

export interface Tick {
  value: number;
  label: string;
}

export interface Scale {
  lo: number;
  hi: number;
  ticks: Tick[];
}

const NICE_MULTIPLES = [5, 2.5, 2, 1];

/** Fewest significant digits (2..8) that print every tick close enough to its value. */
function tickLabels(values: ReadonlyArray<number>, tolerance: number, toLabel: (v: number, d: number) => string, back: (v: number) => number): string[] {
  let labels: string[] = [];
  for (let d = 2; d <= 8; d++) {
    labels = values.map((v) => toLabel(v, d));
    if (labels.every((l, i) => Math.abs(parseCompact(l) - back(values[i])) <= tolerance)) return labels;
  }
  return labels;
}

/** Evenly spaced ticks over [lo, hi] exactly (no rounding of the range). */
function exactScale(lo: number, hi: number, intervals: number, log: boolean): Scale {
  const k = Math.max(1, intervals);
  const values = Array.from({ length: k + 1 }, (_, i) => lo + ((hi - lo) * i) / k);
  const back = (v: number): number => (log ? 10 ** v : v);
  const tol = Math.abs(back(hi) - back(lo)) / k / 100 || Math.abs(back(lo)) * 1e-6;
  const labels = tickLabels(values, tol, (v, d) => formatNumber(back(v), d), back);
  return { lo, hi, ticks: values.map((value, i) => ({ value, label: labels[i] })) };
}

/**
 * A "nice" linear scale: ticks at multiples of 1, 2, 2.5 or 5 x 10^n, 2..maxIntervals intervals,
 * the tightest range that covers [min, max]; among equally tight ones, intervals that divide the
 * rows evenly, then the fewest ticks.
 */
function niceScale(min: number, max: number, maxIntervals: number, rows: number, integerOnly = false): Scale | null {
  const range = max - min;
  if (!(range > 0) || !Number.isFinite(range)) return null;
  const top = Math.floor(Math.log10(range)) + 1;
  let best: { lo: number; hi: number; step: number; k: number } | null = null;
  for (let e = top; e >= top - 2; e--) {
    for (const m of NICE_MULTIPLES) {
      const step = m * 10 ** e;
      if (integerOnly && !Number.isInteger(step)) continue;
      const lo = Math.floor(min / step + 1e-9) * step;
      const hi = Math.ceil(max / step - 1e-9) * step;
      const k = Math.round((hi - lo) / step);
      if (k < 2 || k > maxIntervals) continue;
      const span = hi - lo;
      const even = (rows - 1) % k === 0;
      if (
        !best ||
        span < best.hi - best.lo - step * 1e-9 ||
        (Math.abs(span - (best.hi - best.lo)) <= step * 1e-9 && even && (rows - 1) % best.k !== 0)
      ) {
        best = { lo, hi, step, k };
      }
    }
  }
  if (!best) return null;
  const { lo, step, k } = best;
  const values = Array.from({ length: k + 1 }, (_, i) => {
    const v = lo + i * step;
    return Math.abs(v) < step * 1e-9 ? 0 : v;
  });
  const labels = tickLabels(values, step / 1000, (v, d) => formatNumber(v, d), (v) => v);
  return { lo, hi: best.hi, ticks: values.map((value, i) => ({ value, label: labels[i] })) };
}

/** Y scale over transformed values (log10 when `log`); flat data gets a band around it. */
export function yScale(min: number, max: number, rows: number, log: boolean): Scale {
  const maxIntervals = Math.max(1, Math.min(MAX_Y_INTERVALS, rows - 1));
  let lo = min;
  let hi = max;
  if (hi - lo <= Math.abs(hi) * 1e-12) {
    const pad = log ? 0.05 : Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  if (maxIntervals >= 2) {
    if (!log) {
      const nice = niceScale(lo, hi, maxIntervals, rows);
      if (nice) return nice;
    } else if (hi - lo >= 1) {
      // Whole decades when the data spans at least one.
      const nice = niceScale(lo, hi, maxIntervals, rows, true);
      if (nice) {
        const labels = tickLabels(nice.ticks.map((t) => t.value), 0, (v, d) => formatNumber(10 ** v, d), (v) => 10 ** v);
        return { ...nice, ticks: nice.ticks.map((t, i) => ({ value: t.value, label: labels[i] })) };
      }
    }
  }
  // Exact ends: as many intervals as allowed, preferring a count that divides the rows evenly.
  let k = maxIntervals;
  for (let n = maxIntervals; n >= 2; n--) {
    if ((rows - 1) % n === 0) {
      k = n;
      break;
    }
  }
  return exactScale(lo, hi, k, log);
}

/** X ticks at nice steps inside [lo, hi] (integer steps when every step is an integer). */
export function xTicks(lo: number, hi: number, plotWidth: number, integers: boolean): Tick[] {
  const labelW = Math.max(cellWidth(formatNumber(lo)), cellWidth(formatNumber(hi)));
  const maxTicks = Math.max(2, Math.floor(plotWidth / (labelW + 3)));
  const range = hi - lo;
  let step = 10 ** Math.floor(Math.log10(range / maxTicks));
  for (const m of [1, 2, 2.5, 5, 10]) {
    const s = m * 10 ** Math.floor(Math.log10(range / maxTicks));
    if (integers && !Number.isInteger(s)) continue;
    step = s;
    if (range / s <= maxTicks) break;
  }
  if (integers) step = Math.max(1, Math.round(step));
  const values: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    values.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    if (values.length > plotWidth) break;
  }
  const labels = tickLabels(values, step / 1000, (v, d) => formatNumber(v, d), (v) => v);
  return values.map((value, i) => ({ value, label: labels[i] }));
}
