// Learning curves as text: metric vs step for a few series in a width x height box, with y ticks,
// x ticks, an optional dashed threshold, a legend and the goal direction. Pure: the Curves
// component only renders the returned runs.
//
// Cost is O(points + width * height) per series: points are bucketed into columns (min, max,
// first and last value per column), and only columns are joined and painted.
import type { Goal } from '../../src/types.js';
import { formatNumber, parseCompact } from './number.js';
import { cellWidth, padStart, truncate, type Run, type Tone } from './text.js';

export interface CurveSeries {
  points: ReadonlyArray<readonly [number, number]>;
  tone: Tone;
  /** One cell. */
  glyph: string;
  label: string;
  /** Used with `ascii`; derived from `glyph` when absent (`●` → `*`, `·` → `.`). */
  asciiGlyph?: string;
}

export interface PlotOptions {
  /** Drawn in order, later on top: median, incumbent, then the selected trial. */
  series: ReadonlyArray<CurveSeries>;
  width: number;
  height: number;
  goal: Goal;
  /** The pruner's threshold at the current step, drawn as a dashed horizontal line. */
  threshold?: number | null;
  logY?: boolean;
  ascii?: boolean;
}

/** Below either, the chart collapses to a sparkline (and a legend when there are two lines). */
export const MIN_CHART_WIDTH = 20;
export const MIN_CHART_HEIGHT = 4;
/** From this height the legend gets its own line under the x labels. */
const LEGEND_MIN_HEIGHT = 6;
/** Y tick labels are cut to this many cells. */
const MAX_Y_LABEL = 9;
/** At most this many y intervals (5 tick labels). */
const MAX_Y_INTERVALS = 4;
const NO_DATA = 'no data yet';

const GLYPHS = {
  unicode: { yAxis: '│', yTick: '┤', corner: '└', xAxis: '─', xTick: '┬', dash: '╌', down: '↓', up: '↑' },
  ascii: { yAxis: '|', yTick: '+', corner: '+', xAxis: '-', xTick: '+', dash: '-', down: 'v', up: '^' },
};

const ASCII_SERIES_GLYPH: Record<string, string> = {
  '●': '*', '•': '*', '∙': '.', '·': '.', '○': 'o', '◦': 'o', '◆': '#', '◇': 'o', '■': '#',
  '□': 'o', '▪': '#', '×': 'x', '✕': 'x', '★': '*', '☆': '*', '▲': '^', '▼': 'v', '♦': '#',
};

const SPARK = '▁▂▃▄▅▆▇█';
const ASCII_SPARK = '_.-=^';

// ---------------------------------------------------------------------------------------------
// Sparkline

/** Mean of the finite values in each of `width` equal index buckets (NaN for an empty bucket). */
function bucketMeans(values: ReadonlyArray<number>, width: number): number[] {
  if (values.length <= width) return values.slice();
  const out: number[] = new Array(width);
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * values.length) / width);
    const to = Math.floor(((b + 1) * values.length) / width);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      if (Number.isFinite(values[i])) {
        sum += values[i];
        n++;
      }
    }
    out[b] = n ? sum / n : NaN;
  }
  return out;
}

/**
 * One cell per value (values averaged in buckets when there are more than `width`), left-aligned
 * and padded to exactly `width` cells. Non-finite values are gaps; all-equal values sit mid-height.
 */
export function sparkline(values: ReadonlyArray<number>, width: number, ascii = false): string {
  const w = Math.max(0, Math.floor(width));
  if (w === 0) return '';
  const levels = ascii ? ASCII_SPARK : SPARK;
  const vs = bucketMeans(values, w);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of vs) {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const mid = Math.floor((levels.length - 1) / 2);
  let out = '';
  for (const v of vs) {
    if (!Number.isFinite(v)) out += ' ';
    else if (hi === lo) out += levels[mid];
    else out += levels[Math.round(((v - lo) / (hi - lo)) * (levels.length - 1))];
  }
  return out + ' '.repeat(w - vs.length);
}

// ---------------------------------------------------------------------------------------------
// Scales and ticks

interface Tick {
  value: number;
  label: string;
}

interface Scale {
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
function yScale(min: number, max: number, rows: number, log: boolean): Scale {
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
function xTicks(lo: number, hi: number, plotWidth: number, integers: boolean): Tick[] {
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

// ---------------------------------------------------------------------------------------------
// Painting

interface Grid {
  w: number;
  h: number;
  chars: string[];
  tones: Tone[];
}

function newGrid(w: number, h: number): Grid {
  return { w, h, chars: new Array<string>(w * h).fill(' '), tones: new Array<Tone>(w * h).fill('normal') };
}

function paintSpan(g: Grid, col: number, rowA: number, rowB: number, ch: string, tone: Tone): void {
  const from = Math.max(0, Math.round(Math.min(rowA, rowB)));
  const to = Math.min(g.h - 1, Math.round(Math.max(rowA, rowB)));
  for (let r = from; r <= to; r++) {
    g.chars[r * g.w + col] = ch;
    g.tones[r * g.w + col] = tone;
  }
}

/** Per column: the row span of its points and the rows of its first and last point by step. */
interface Buckets {
  has: Uint8Array;
  min: Float64Array;
  max: Float64Array;
  firstX: Float64Array;
  firstRow: Float64Array;
  lastX: Float64Array;
  lastRow: Float64Array;
}

function bucket(points: ReadonlyArray<readonly [number, number]>, cols: number, colOf: (x: number) => number, rowOf: (y: number) => number, ok: (x: number, y: number) => boolean): Buckets {
  const b: Buckets = {
    has: new Uint8Array(cols),
    min: new Float64Array(cols),
    max: new Float64Array(cols),
    firstX: new Float64Array(cols),
    firstRow: new Float64Array(cols),
    lastX: new Float64Array(cols),
    lastRow: new Float64Array(cols),
  };
  for (const [x, y] of points) {
    if (!ok(x, y)) continue;
    const c = Math.min(cols - 1, Math.max(0, Math.round(colOf(x))));
    const r = rowOf(y);
    if (!b.has[c]) {
      b.has[c] = 1;
      b.min[c] = b.max[c] = r;
      b.firstX[c] = b.lastX[c] = x;
      b.firstRow[c] = b.lastRow[c] = r;
      continue;
    }
    if (r < b.min[c]) b.min[c] = r;
    if (r > b.max[c]) b.max[c] = r;
    if (x < b.firstX[c]) {
      b.firstX[c] = x;
      b.firstRow[c] = r;
    }
    // `>=`: when a step repeats, the last report wins (as in Series.byStepMap).
    if (x >= b.lastX[c]) {
      b.lastX[c] = x;
      b.lastRow[c] = r;
    }
  }
  return b;
}

/**
 * Paints one series: each column's own span, and the straight segment from the previous column's
 * last point to this column's first point, each column taking the part of the segment within half
 * a column of it, so steep segments read as a continuous line.
 */
function paintSeries(g: Grid, b: Buckets, ch: string, tone: Tone): void {
  let prev = -1;
  for (let c = 0; c < g.w; c++) {
    if (!b.has[c]) continue;
    paintSpan(g, c, b.min[c], b.max[c], ch, tone);
    if (prev >= 0) {
      const r0 = b.lastRow[prev];
      const r1 = b.firstRow[c];
      const at = (x: number): number => r0 + ((r1 - r0) * (x - prev)) / (c - prev);
      for (let k = prev; k <= c; k++) {
        const left = Math.max(prev, k - 0.5);
        const right = Math.min(c, k + 0.5);
        paintSpan(g, k, at(left), at(right), ch, tone);
      }
    }
    prev = c;
  }
}

// ---------------------------------------------------------------------------------------------
// Lines

/** Merges cells into runs of one tone. */
function toRuns(chars: ReadonlyArray<string>, tones: ReadonlyArray<Tone>): Run[] {
  const runs: Run[] = [];
  for (let i = 0; i < chars.length; i++) {
    const last = runs[runs.length - 1];
    if (last && last.tone === tones[i]) last.text += chars[i];
    else runs.push({ text: chars[i], tone: tones[i] });
  }
  return runs;
}

const blank = (width: number): Run[] => (width > 0 ? [{ text: ' '.repeat(width), tone: 'normal' }] : []);

function seriesGlyph(s: CurveSeries, ascii: boolean): string {
  const raw = ascii ? (s.asciiGlyph ?? ASCII_SERIES_GLYPH[s.glyph] ?? s.glyph) : s.glyph;
  const first = [...raw][0] ?? '*';
  if (ascii && !/^[\x21-\x7e]$/.test(first)) return '*';
  return cellWidth(first) === 1 ? first : '*';
}

/** `● #12  + best #7  · median  ╌╌ prune threshold` and, on the right, `↓ better`. */
function legendLine(opts: PlotOptions, width: number, hasThreshold: boolean): Run[] {
  const ascii = opts.ascii ?? false;
  const G = ascii ? GLYPHS.ascii : GLYPHS.unicode;
  const marker = `${opts.logY ? 'log y  ' : ''}${opts.goal === 'minimize' ? G.down : G.up} better`;
  const entries: Run[] = opts.series.map((s) => ({ text: `${seriesGlyph(s, ascii)} ${s.label}`, tone: s.tone }));
  if (hasThreshold) entries.push({ text: `${G.dash}${G.dash} prune threshold`, tone: 'threshold' });
  const showMarker = cellWidth(marker) + 1 <= width;
  const room = width - (showMarker ? cellWidth(marker) + 1 : 0);
  const runs: Run[] = [];
  let used = 0;
  for (const e of entries) {
    const sep = runs.length ? 2 : 0;
    const left = room - used - sep;
    if (left < 3) break;
    if (sep) runs.push({ text: '  ', tone: 'normal' });
    const text = truncate(e.text, left, ascii);
    runs.push({ text, tone: e.tone });
    used += sep + cellWidth(text);
    if (text !== e.text) break;
  }
  const pad = width - used - (showMarker ? cellWidth(marker) : 0);
  if (pad > 0) runs.push({ text: ' '.repeat(pad), tone: 'normal' });
  if (showMarker) runs.push({ text: marker, tone: 'dim' });
  return runs;
}

function emptyChart(width: number, height: number): Run[][] {
  const lines: Run[][] = [];
  const mid = Math.floor((height - 1) / 2);
  for (let r = 0; r < height; r++) {
    if (r !== mid || width === 0) {
      lines.push(blank(width));
      continue;
    }
    const msg = truncate(NO_DATA, width);
    const left = Math.floor((width - cellWidth(msg)) / 2);
    const runs: Run[] = [];
    if (left > 0) runs.push({ text: ' '.repeat(left), tone: 'normal' });
    runs.push({ text: msg, tone: 'dim' });
    const right = width - left - cellWidth(msg);
    if (right > 0) runs.push({ text: ' '.repeat(right), tone: 'normal' });
    lines.push(runs);
  }
  return lines;
}

/**
 * Exactly `height` lines, each exactly `width` cells. Points with a non-finite step or value (or a
 * value <= 0 with `logY`) are skipped. Below MIN_CHART_WIDTH x MIN_CHART_HEIGHT: a sparkline of
 * the last series with data, then the legend, then blank lines.
 */
export function plotCurves(opts: PlotOptions): Run[][] {
  const W = Math.max(0, Math.floor(opts.width));
  const H = Math.max(0, Math.floor(opts.height));
  if (H === 0) return [];
  const ascii = opts.ascii ?? false;
  const log = opts.logY ?? false;
  const G = ascii ? GLYPHS.ascii : GLYPHS.unicode;
  const ty = (y: number): number => (log ? Math.log10(y) : y);
  const ok = (x: number, y: number): boolean => Number.isFinite(x) && Number.isFinite(y) && (!log || y > 0);

  // One pass for the ranges.
  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  let integersOnly = true;
  for (const s of opts.series) {
    for (const [x, y] of s.points) {
      if (!ok(x, y)) continue;
      const v = ty(y);
      if (x < xMin) xMin = x;
      if (x > xMax) xMax = x;
      if (v < yMin) yMin = v;
      if (v > yMax) yMax = v;
      if (integersOnly && !Number.isInteger(x)) integersOnly = false;
    }
  }
  if (xMin > xMax) return emptyChart(W, H);
  const t = opts.threshold;
  const hasThreshold = t !== null && t !== undefined && ok(0, t);
  if (hasThreshold) {
    yMin = Math.min(yMin, ty(t));
    yMax = Math.max(yMax, ty(t));
  }

  if (W < MIN_CHART_WIDTH || H < MIN_CHART_HEIGHT) {
    const lines: Run[][] = [];
    const last = [...opts.series].reverse().find((s) => s.points.some(([x, y]) => ok(x, y)));
    const values = last ? last.points.filter(([x, y]) => ok(x, y)).map(([, y]) => ty(y)) : [];
    lines.push(W > 0 ? [{ text: sparkline(values, W, ascii), tone: last?.tone ?? 'normal' }] : []);
    if (H >= 2) lines.push(legendLine(opts, W, hasThreshold));
    while (lines.length < H) lines.push(blank(W));
    return lines;
  }

  const legendRows = H >= LEGEND_MIN_HEIGHT ? 1 : 0;
  const plotH = H - 2 - legendRows;
  const ys = yScale(yMin, yMax, plotH, log);
  const labelW = Math.min(MAX_Y_LABEL, Math.max(...ys.ticks.map((tk) => cellWidth(tk.label))));
  const gutter = labelW + 1;
  const plotW = W - gutter;

  let xLo = xMin;
  let xHi = xMax;
  if (xLo === xHi) {
    // One step: anchor the axis at 0 (or one step to the right when the step is negative).
    xLo = Math.min(0, xMin);
    xHi = Math.max(xMax, xLo + 1);
  }
  const colOf = (x: number): number => ((x - xLo) / (xHi - xLo)) * (plotW - 1);
  const rowOf = (v: number): number => ((ys.hi - v) / (ys.hi - ys.lo)) * (plotH - 1);

  const grid = newGrid(plotW, plotH);
  if (hasThreshold) {
    const r = Math.round(rowOf(ty(t)));
    if (r >= 0 && r < plotH) {
      for (let c = 0; c < plotW; c++) {
        // ASCII dashes every other cell; `╌` is dashed by itself.
        if (ascii && c % 2 === 1) continue;
        grid.chars[r * plotW + c] = G.dash;
        grid.tones[r * plotW + c] = 'threshold';
      }
    }
  }
  for (const s of opts.series) {
    const b = bucket(s.points, plotW, colOf, (y) => rowOf(ty(y)), ok);
    paintSeries(grid, b, seriesGlyph(s, ascii), s.tone);
  }

  const tickRows = new Map<number, string>();
  for (const tk of ys.ticks) {
    const r = Math.round(rowOf(tk.value));
    if (r >= 0 && r < plotH && !tickRows.has(r)) tickRows.set(r, tk.label);
  }

  const lines: Run[][] = [];
  for (let r = 0; r < plotH; r++) {
    const label = tickRows.get(r);
    const gutterRun: Run = {
      text: (label === undefined ? ' '.repeat(labelW) : padStart(label, labelW, ascii)) + (label === undefined ? G.yAxis : G.yTick),
      tone: 'axis',
    };
    const row = toRuns(grid.chars.slice(r * plotW, (r + 1) * plotW), grid.tones.slice(r * plotW, (r + 1) * plotW));
    lines.push([gutterRun, ...row]);
  }

  // X axis and its labels.
  const ticks = xTicks(xLo, xHi, plotW, integersOnly);
  const axis = new Array<string>(plotW).fill(G.xAxis);
  const labelCells = new Array<string>(W).fill(' ');
  let nextFree = 0;
  for (const tk of ticks) {
    const c = Math.round(colOf(tk.value));
    if (c < 0 || c >= plotW) continue;
    axis[c] = G.xTick;
    const lw = cellWidth(tk.label);
    const start = Math.min(W - lw, Math.max(0, gutter + c - Math.floor(lw / 2)));
    if (start < nextFree || lw > W) continue;
    [...tk.label].forEach((ch, i) => (labelCells[start + i] = ch));
    nextFree = start + lw + 1;
  }
  lines.push([{ text: ' '.repeat(labelW) + G.corner + axis.join(''), tone: 'axis' }]);
  lines.push([{ text: labelCells.join(''), tone: 'axis' }]);
  if (legendRows) lines.push(legendLine(opts, W, hasThreshold));
  return lines;
}
