// A one-line sparkline: the chart's fallback when there is no room for axes. Pure.

const SPARK = '▁▂▃▄▅▆▇█';
const ASCII_SPARK = '_.-=^';

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
