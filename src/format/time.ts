// Time for people: elapsed durations, "how long ago", clocks and forecasts. Pure.
import { EM_DASH } from './text.js';

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

/** Forecasts beyond this say `>99d left`: the rate is too slow to mean anything. */
const MAX_FORECAST_MS = 99 * 24 * 3_600_000;

/** `~45s left`, `~23m left`, `~1h05m left`, `~2d03h left`; `done` at or below 0; `—` unknown. */
export function formatForecast(ms: number | null | undefined, ascii = false): string {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return ascii ? '-' : EM_DASH;
  if (ms <= 0) return 'done';
  if (ms > MAX_FORECAST_MS) return '>99d left';
  if (ms < 59_500) return `~${Math.max(1, Math.round(ms / 1000))}s left`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `~${minutes}m left`;
  if (minutes < 48 * 60) return `~${Math.floor(minutes / 60)}h${pad2(minutes % 60)}m left`;
  const hours = Math.round(ms / 3_600_000);
  return `~${Math.floor(hours / 24)}d${pad2(hours % 24)}h left`;
}

/** `H:MM:SS`, floored: the one clock (the budget panel's wall time, the headless printer's stamps). */
export function formatClock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 3600)}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
}
