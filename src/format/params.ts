// A trial's parameters in one line of a given width: every view (TUI, headless, `report`) prints
// them this way. Pure.
import type { Params } from '../types.js';
import { shortNumber } from './number.js';
import { sanitize } from './sanitize.js';
import { cellWidth, truncate } from './text.js';

/** Significant digits tried, in order, when the faithful description does not fit. */
const PARAM_PRECISIONS: ReadonlyArray<number | null> = [null, 4, 3, 2];

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
