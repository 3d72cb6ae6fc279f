// The hosts line (campaigns with `hosts:`): each host up / down / reconnecting with its busy slots
// out of its total. Wide: `gpu1 up 3/4`; narrower: `gpu1● 3/4`; when even that does not fit, a
// count per state and the busy total, then the hosts that are not up by name (what needs a look).
import React from 'react';
import type { HostRow } from '../src/state.js';
import { sanitize } from '../src/format/sanitize.js';
import { cellWidth, truncate, type Run, type Tone } from '../src/format/text.js';
import { Line } from './Line.js';
import { noColor } from './theme.js';

const TONE: Record<HostRow['status'], Tone> = { up: 'good', down: 'bad', reconnecting: 'warn' };
const GLYPH: Record<HostRow['status'], [string, string]> = { up: ['●', '+'], down: ['✕', 'x'], reconnecting: ['↻', '~'] };

const slotsOf = (h: HostRow) => `${h.busy}/${h.slots ?? '?'}`;
const widthOf = (runs: Run[]) => cellWidth(runs.map((r) => r.text).join(''));

export function hostsLineRuns(rows: HostRow[], width: number, ascii = noColor()): Run[] {
  if (!rows.length) return [];
  const label: Run = { text: 'hosts', tone: 'dim' };
  const glyph = (h: HostRow) => GLYPH[h.status][ascii ? 1 : 0];
  const full: Run[] = [label];
  const compact: Run[] = [label];
  for (const h of rows) {
    const name = sanitize(h.name);
    full.push({ text: `  ${name} `, tone: 'normal' }, { text: h.status, tone: TONE[h.status] }, { text: ` ${slotsOf(h)}`, tone: 'dim' });
    compact.push({ text: ` ${name}`, tone: 'normal' }, { text: glyph(h), tone: TONE[h.status] }, { text: slotsOf(h), tone: 'dim' });
  }
  if (widthOf(full) <= width) return full;
  if (widthOf(compact) <= width) return compact;
  // Too many hosts for the width: counts, then the ones not up.
  const count = (st: HostRow['status']) => rows.filter((h) => h.status === st).length;
  const busy = rows.reduce((n, h) => n + h.busy, 0);
  const total = rows.reduce((n, h) => n + (h.slots ?? 0), 0);
  const out: Run[] = [{ text: `hosts ${rows.length}:`, tone: 'dim' }];
  for (const st of ['up', 'reconnecting', 'down'] as const) if (count(st)) out.push({ text: ` ${count(st)} ${st}`, tone: TONE[st] });
  out.push({ text: `, ${busy}/${total} busy`, tone: 'dim' });
  for (const h of rows.filter((r) => r.status !== 'up')) {
    const run: Run = { text: `  ${sanitize(h.name)}${glyph(h)}`, tone: TONE[h.status] };
    if (widthOf(out) + cellWidth(run.text) > width) break;
    out.push(run);
  }
  // Only when the counts alone are too wide (a very narrow screen) is anything cut.
  if (widthOf(out) > width) return [{ text: truncate(out.map((r) => r.text).join(''), width), tone: 'dim' }];
  return out;
}

export function HostsLine({ rows, width }: { rows: HostRow[]; width: number }) {
  return <Line runs={hostsLineRuns(rows, width)} />;
}
