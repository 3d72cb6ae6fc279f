// Learning curves as text: metric vs step for a few series in a width x height box, with y ticks,
// x ticks, an optional dashed threshold, a legend and the goal direction. Pure: the Curves
// component only renders the returned runs.
//
// Cost is O(points + width * height) per series: points are bucketed into columns (min, max,
// first and last value per column), and only columns are joined and painted.
import type { Goal } from '../types.js';
import { cellWidth, padStart, truncate, type Run, type Tone } from './text.js';
import { sparkline } from './sparkline.js';
import { bucket, newGrid, paintSeries } from './curve-paint.js';
import { xTicks, yScale } from './curve-scale.js';

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
const NO_DATA = 'no data yet';

const GLYPHS = {
  unicode: { yAxis: '│', yTick: '┤', corner: '└', xAxis: '─', xTick: '┬', dash: '╌', down: '↓', up: '↑' },
  ascii: { yAxis: '|', yTick: '+', corner: '+', xAxis: '-', xTick: '+', dash: '-', down: 'v', up: '^' },
};

const ASCII_SERIES_GLYPH: Record<string, string> = {
  '●': '*', '•': '*', '∙': '.', '·': '.', '○': 'o', '◦': 'o', '◆': '#', '◇': 'o', '■': '#',
  '□': 'o', '▪': '#', '×': 'x', '✕': 'x', '★': '*', '☆': '*', '▲': '^', '▼': 'v', '♦': '#',
};

export { sparkline };

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
