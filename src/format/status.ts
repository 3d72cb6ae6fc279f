// Status glyphs for the trial table and the detail view: one cell each, with an ASCII fallback.
import type { TrialStatus } from '../types.js';
import type { Tone } from './text.js';

export interface StatusGlyph {
  /** One cell, never an emoji (those render two cells wide in many terminals). */
  glyph: string;
  /** One ASCII cell, for NO_COLOR and dumb terminals. */
  ascii: string;
  tone: Tone;
  label: string;
}

// No character here has the Emoji property: `✔ ✖ ✂ ▶ ⏱ ☠` do, and many terminals draw them two
// cells wide while ink counts one, which shears the table. `⌛` is East Asian Wide outright.
const STATUS_GLYPHS: Record<TrialStatus, Omit<StatusGlyph, 'label'>> = {
  running: { glyph: '▸', ascii: '>', tone: 'accent' },
  queued: { glyph: '…', ascii: '.', tone: 'dim' },
  keep: { glyph: '✓', ascii: '+', tone: 'good' },
  discard: { glyph: '·', ascii: '-', tone: 'dim' },
  crash: { glyph: '✗', ascii: 'x', tone: 'bad' },
  timeout: { glyph: 'T', ascii: 'T', tone: 'warn' },
  pruned: { glyph: '⊘', ascii: '%', tone: 'dim' },
  killed: { glyph: 'K', ascii: 'K', tone: 'warn' },
  invalid: { glyph: '!', ascii: '!', tone: 'bad' },
  lost: { glyph: '?', ascii: '?', tone: 'bad' },
  dropped: { glyph: '_', ascii: '_', tone: 'dim' },
};

export function statusGlyph(status: TrialStatus | string): StatusGlyph {
  const g = Object.prototype.hasOwnProperty.call(STATUS_GLYPHS, status)
    ? STATUS_GLYPHS[status as TrialStatus]
    : { glyph: '?', ascii: '?', tone: 'dim' as const };
  return { ...g, label: status };
}
