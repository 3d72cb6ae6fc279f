// The trial table's columns, as one list of data: title, widths, priority (which ones a narrow
// terminal keeps) and the cell each trial shows. The table, its header and the layout all read it.
import type { CampaignState, TrialState } from '../src/state.js';
import type { ColumnLayout, ColumnSpec } from '../src/format/columns.js';
import { formatDelta, formatScore } from '../src/format/number.js';
import { sanitize } from '../src/format/sanitize.js';
import { statusGlyph } from '../src/format/status.js';
import { padEnd, padStart, truncate, type Run, type Tone } from '../src/format/text.js';
import { formatDuration } from '../src/format/time.js';
import { describeTrial } from './rows.js';
import { noColor } from './theme.js';

/** What a cell may read besides its trial. */
export interface CellContext {
  now: number;
  bestScore: number | null;
  goal: CampaignState['goal'];
}

export interface TrialColumn extends ColumnSpec {
  title: string;
  align: 'left' | 'right';
  /** The cell's text (cut and padded to `width` by the table) and tone. */
  cell(t: TrialState, width: number, c: CellContext): { text: string; tone?: Tone };
}

/**
 * Most important kept longest. At 80 cells: id, status, score, delta and description (plus what
 * else fits); at 140 everything.
 */
export const TRIAL_COLUMNS: ReadonlyArray<TrialColumn> = [
  { key: 'id', title: 'id', align: 'left', min: 5, max: 6, priority: 10, cell: (t) => ({ text: `#${t.id}` }) },
  {
    key: 'status',
    title: 'status',
    align: 'left',
    min: 9,
    max: 9,
    priority: 9,
    cell: (t) => {
      const g = statusGlyph(t.status);
      return { text: `${noColor() ? g.ascii : g.glyph} ${g.label}`, tone: g.tone };
    },
  },
  { key: 'proposer', title: 'proposer', align: 'left', min: 8, max: 10, priority: 2, cell: (t) => ({ text: t.proposer, tone: 'dim' }) },
  { key: 'host', title: 'host', align: 'left', min: 8, max: 14, priority: 1, cell: (t, width) => ({ text: hostCell(t.host ?? '', width), tone: 'dim' }) },
  { key: 'step', title: 'step', align: 'right', min: 5, max: 6, priority: 4, cell: (t) => ({ text: t.curve.lastStep === null ? '' : String(t.curve.lastStep) }) },
  { key: 'latest', title: 'latest', align: 'right', min: 8, max: 10, priority: 5, cell: (t) => ({ text: formatScore(t.curve.lastValue) }) },
  {
    key: 'score',
    title: 'final',
    align: 'right',
    min: 8,
    max: 10,
    priority: 8,
    cell: (t) => ({ text: t.score === null ? '' : formatScore(t.score), tone: t.best ? 'good' : 'normal' }),
  },
  {
    key: 'delta',
    title: 'Δbest',
    align: 'right',
    min: 8,
    max: 9,
    priority: 7,
    // A running trial is compared by its latest value.
    cell: (t, _w, c) => (t.score === null && t.status !== 'running' ? { text: '' } : formatDelta(t.score ?? t.curve.lastValue, c.bestScore, c.goal)),
  },
  {
    key: 'time',
    title: 'time',
    align: 'right',
    min: 6,
    max: 7,
    priority: 3,
    cell: (t, _w, c) => {
      const ms = t.duration_ms ?? (t.started_at !== undefined && t.status === 'running' ? c.now - t.started_at : undefined);
      return { text: ms === undefined ? '' : formatDuration(ms), tone: 'dim' };
    },
  },
  {
    key: 'description',
    title: 'description',
    align: 'left',
    min: 24,
    priority: 6,
    grow: 1,
    // Failures show their reason beside the params: that is what the operator needs to see.
    cell: (t, w) => ({
      text: ['keep', 'discard', 'running', 'queued'].includes(t.status) ? describeTrial(t, w) : `${describeTrial(t, Math.floor(w * 0.6))}  ${sanitize(t.reason)}`,
    }),
  },
];

/** host:slot in `width` cells: a long host name is cut, never the slot (testh…:1, not testhos…). */
export function hostCell(host: string, width: number): string {
  const m = /^(.*)(:\d+)$/.exec(host);
  if (!m || host.length <= width || m[2].length + 2 > width) return host;
  return truncate(m[1], width - m[2].length) + m[2];
}

/** Where each trial runs matters once there are hosts: the host:slot column outranks step, latest and time. */
const WITH_HOSTS: ReadonlyArray<TrialColumn> = TRIAL_COLUMNS.map((c) => (c.key === 'host' ? { ...c, priority: 5.5 } : c));

/** The columns for a campaign with remote hosts or without. */
export function trialColumns(hosts: boolean): ReadonlyArray<TrialColumn> {
  return hosts ? WITH_HOSTS : TRIAL_COLUMNS;
}

const BY_KEY: ReadonlyMap<string, TrialColumn> = new Map(TRIAL_COLUMNS.map((c) => [c.key, c]));

const fit = (col: TrialColumn, text: string, width: number) => (col.align === 'right' ? padStart(truncate(text, width), width) : padEnd(truncate(text, width), width));

/** One laid-out cell: exactly `width` cells of text, aligned as its column says. */
export function trialCell(l: ColumnLayout, t: TrialState, c: CellContext): Run {
  const col = BY_KEY.get(l.key)!;
  const { text, tone = 'normal' } = col.cell(t, l.width, c);
  return { text: fit(col, text, l.width), tone };
}

/** The header row of a layout. */
export function trialHeader(layout: readonly ColumnLayout[]): string {
  return layout.map((l) => fit(BY_KEY.get(l.key)!, BY_KEY.get(l.key)!.title, l.width)).join(' ');
}
