// Durations in the campaign file: `90s`, `5m`, `8h`, `1h30m`, `2d`, `500ms`, `1.5h`; a plain number is seconds.

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Units from the largest down; a duration lists each unit at most once, in this order (`1h30m`, not `30m1h`). */
const UNIT_ORDER = ['d', 'h', 'm', 's', 'ms'];

const PART = /(\d+(?:\.\d+)?|\.\d+)\s*(ms|d|h|m|s)/y;

/**
 * Parses a duration to milliseconds, or returns null when the input is not a duration.
 * Accepts a non-negative number (seconds) or text: one or more `<number><unit>` parts with units
 * d, h, m, s, ms from the largest down (`1h30m`, `2d 12h`, `1.5h`, `90s`, `250ms`), or plain
 * digits (seconds). Whitespace between parts is allowed. The result is rounded to whole ms.
 */
export function parseDuration(input: unknown): number | null {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? Math.round(input * 1000) : null;
  }
  if (typeof input !== 'string') return null;
  const text = input.trim();
  if (text === '') return null;
  if (/^(\d+(\.\d+)?|\.\d+)$/.test(text)) return Math.round(Number(text) * 1000);
  let total = 0;
  let pos = 0;
  let lastUnit = -1;
  while (pos < text.length) {
    PART.lastIndex = pos;
    const m = PART.exec(text);
    if (!m) return null;
    const unit = UNIT_ORDER.indexOf(m[2]);
    if (unit <= lastUnit) return null; // repeated or out of order: `5m1h`, `1m1m`
    lastUnit = unit;
    total += Number(m[1]) * UNIT_MS[m[2]];
    pos = PART.lastIndex;
    while (pos < text.length && text[pos] === ' ') pos++;
  }
  return Number.isFinite(total) ? Math.round(total) : null;
}

/**
 * Formats milliseconds the way they are written in a campaign file: `1h30m`, `90s` → `1m30s`,
 * `2d4h`, `250ms`, `0s`. Round trip: parseDuration(formatDurationSpec(ms)) === ms for whole ms ≥ 0.
 */
export function formatDurationSpec(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms));
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of UNIT_ORDER) {
    const size = UNIT_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return sign + out;
}
