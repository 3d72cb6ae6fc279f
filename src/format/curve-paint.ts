// Painting series into a character grid: points bucketed per column (min, max, first and last
// value), then joined column to column. Pure.
import type { Tone } from './text.js';

export interface Grid {
  w: number;
  h: number;
  chars: string[];
  tones: Tone[];
}

export function newGrid(w: number, h: number): Grid {
  return { w, h, chars: new Array<string>(w * h).fill(' '), tones: new Array<Tone>(w * h).fill('normal') };
}

export function paintSpan(g: Grid, col: number, rowA: number, rowB: number, ch: string, tone: Tone): void {
  const from = Math.max(0, Math.round(Math.min(rowA, rowB)));
  const to = Math.min(g.h - 1, Math.round(Math.max(rowA, rowB)));
  for (let r = from; r <= to; r++) {
    g.chars[r * g.w + col] = ch;
    g.tones[r * g.w + col] = tone;
  }
}

/** Per column: the row span of its points and the rows of its first and last point by step. */
export interface Buckets {
  has: Uint8Array;
  min: Float64Array;
  max: Float64Array;
  firstX: Float64Array;
  firstRow: Float64Array;
  lastX: Float64Array;
  lastRow: Float64Array;
}

export function bucket(points: ReadonlyArray<readonly [number, number]>, cols: number, colOf: (x: number) => number, rowOf: (y: number) => number, ok: (x: number, y: number) => boolean): Buckets {
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
export function paintSeries(g: Grid, b: Buckets, ch: string, tone: Tone): void {
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
