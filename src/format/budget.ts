// Budget burn: one line per limit in force (used/total, a bar fraction, a time-to-exhaustion
// forecast at the current rate), and the bar itself at eighth-cell resolution.
import { formatUsd } from './number.js';
import type { Tone } from './text.js';
import { formatClock, formatForecast } from './time.js';

export interface BudgetLine {
  label: string;
  used: number;
  total: number;
  /** used / total, not clamped (1.2 is 20 % over). */
  fraction: number;
  text: string;
  /** `~23m left`, `done`, `—` before there is a rate; null when no forecast makes sense. */
  forecast: string | null;
  tone: Tone;
}

export interface BudgetInput {
  trials?: { used: number; total: number };
  wallMs?: { used: number; total: number };
  usd?: { used: number; total: number };
  gpuHours?: { used: number; total: number };
  /** Finished trials since the last improvement, against the patience limit. */
  patience?: { since: number; total: number };
  /** Wall time the campaign has been running: the denominator of every rate. */
  elapsedMs: number;
  finishedTrials: number;
  /** The campaign has finished: nothing burns any more, so no line forecasts time left. */
  finished?: boolean;
  ascii?: boolean;
}

/** Tone thresholds on the used fraction. */
const WARN_FRACTION = 0.8;
const BAD_FRACTION = 1;
const trimFixed = (x: number, decimals: number): string => {
  const s = x.toFixed(decimals);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
};

function toneOf(fraction: number): Tone {
  if (fraction >= BAD_FRACTION) return 'bad';
  if (fraction >= WARN_FRACTION) return 'warn';
  return 'normal';
}

function fractionOf(used: number, total: number): number {
  if (!(total > 0)) return 1;
  const f = used / total;
  return Number.isFinite(f) ? Math.max(0, f) : 0;
}

/**
 * Time until `total` is reached when `used` grows at `rate` per ms: `done` when used ≥ total,
 * `—` without a rate yet.
 */
function forecastAt(used: number, total: number, ratePerMs: number, ascii: boolean): string {
  if (used >= total) return 'done';
  if (!(ratePerMs > 0) || !Number.isFinite(ratePerMs)) return formatForecast(null, ascii);
  return formatForecast((total - used) / ratePerMs, ascii);
}

const limited = (x: { total: number } | undefined): boolean => x !== undefined && Number.isFinite(x.total);

/**
 * One line per limit in force, in a fixed order: trials, wall, cost, GPU, patience. Rates are over
 * `elapsedMs`: trials and patience burn at the finished-trial rate (patience assumes no
 * improvement), cost and GPU-hours at their own average rate, wall time at one ms per ms.
 */
export function budgetLines(input: BudgetInput): BudgetLine[] {
  const ascii = input.ascii ?? false;
  const elapsed = input.elapsedMs > 0 ? input.elapsedMs : 0;
  const perMs = (n: number): number => (elapsed > 0 ? n / elapsed : 0);
  const finishRate = perMs(Math.max(0, input.finishedTrials));
  const out: BudgetLine[] = [];
  const push = (label: string, used: number, total: number, text: string, forecast: string | null): void => {
    const fraction = fractionOf(used, total);
    if (input.finished) forecast = used >= total ? 'done' : null;
    out.push({ label, used, total, fraction, text, forecast, tone: toneOf(fraction) });
  };

  const { trials, wallMs, usd, gpuHours, patience } = input;
  if (trials && limited(trials)) {
    push('trials', trials.used, trials.total, `${trials.used}/${trials.total} trials`, forecastAt(trials.used, trials.total, finishRate, ascii));
  }
  if (wallMs && limited(wallMs)) {
    push('wall', wallMs.used, wallMs.total, `${formatClock(wallMs.used)}/${formatClock(wallMs.total)}`, forecastAt(wallMs.used, wallMs.total, 1, ascii));
  }
  if (usd && limited(usd)) {
    push('cost', usd.used, usd.total, `${formatUsd(usd.used)}/${formatUsd(usd.total, { whole: true })}`, forecastAt(usd.used, usd.total, perMs(usd.used), ascii));
  }
  if (gpuHours && limited(gpuHours)) {
    const h = (x: number): string => (Math.abs(x) >= 100 ? String(Math.round(x)) : trimFixed(x, 1));
    push('GPU', gpuHours.used, gpuHours.total, `${h(gpuHours.used)}/${h(gpuHours.total)} GPU-h`, forecastAt(gpuHours.used, gpuHours.total, perMs(gpuHours.used), ascii));
  }
  if (patience && limited(patience)) {
    push('patience', patience.since, patience.total, `patience ${patience.since}/${patience.total}`, forecastAt(patience.since, patience.total, finishRate, ascii));
  }
  return out;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL = '█';
const EMPTY = ' ';
const ASCII_FULL = '#';
const ASCII_EMPTY = '-';

/**
 * A bar exactly `width` cells wide, `fraction` clamped to [0, 1] (NaN is 0). Unicode fills with
 * `█` and a partial eighth block (`▏`…`▉`) and leaves the rest blank, so wrap it in brackets or a
 * dim track; ASCII fills with `#` on a `-` track.
 */
export function renderBar(fraction: number, width: number, ascii = false): string {
  const w = Math.max(0, Math.floor(width));
  const f = Number.isNaN(fraction) ? 0 : Math.min(1, Math.max(0, fraction));
  if (ascii) {
    const full = Math.round(f * w);
    return ASCII_FULL.repeat(full) + ASCII_EMPTY.repeat(w - full);
  }
  const eighths = Math.round(f * w * 8);
  const full = Math.floor(eighths / 8);
  const partial = EIGHTHS[eighths % 8];
  return FULL.repeat(full) + partial + EMPTY.repeat(w - full - (partial ? 1 : 0));
}
