// The detail view of one trial: params, status and reason, metrics, its last output lines, its diff.
// Every line is wrapped into screen rows here, before ink sees it: the view then knows exactly how
// many rows it has, scrolls by rows and never loses one off the bottom when a reason or an output
// line is longer than the screen is wide. Everything the trial (or its proposer) wrote is sanitised.
import React from 'react';
import { Box, Text } from 'ink';
import type { CampaignState, TrialState } from '../src/state.js';
import { formatScore } from '../src/format/number.js';
import { cleanOutputLine, sanitize } from '../src/format/sanitize.js';
import { statusGlyph } from '../src/format/status.js';
import { cellWidth, type Run, type Tone } from '../src/format/text.js';
import { formatDuration } from '../src/format/time.js';
import { diffStats, wrapDiff } from '../src/format/diff.js';
import { wrapText } from '../src/format/wrap.js';
import { Line } from './Line.js';
import { BY_ID, promptHints } from './keymap.js';

/** An output line longer than this many rows is cut (the full line is in output.log). */
const MAX_ROWS_PER_OUTPUT_LINE = 6;

export function detailRows(s: CampaignState, t: TrialState, tail: readonly string[], width: number): Run[][] {
  const rows: Run[][] = [];
  const para = (text: string, tone: Tone = 'normal', indent = '', hang = indent + '  ', maxRows?: number) => {
    for (const r of wrapText(text, width, { first: indent, rest: hang, maxRows })) rows.push(r ? [{ text: r, tone }] : []);
  };
  const heading = (text: string) => para(text, 'file');

  const g = statusGlyph(t.status);
  const head: Run[] = [
    { text: `#${t.id}`, tone: 'file' },
    { text: ' ', tone: 'normal' },
    { text: `${g.glyph} ${g.label}`, tone: g.tone },
    { text: ` ${sanitize(t.proposer)} · ${sanitize(t.host ?? 'not started')} · ${formatDuration(t.duration_ms)}`, tone: 'dim' },
  ];
  if (t.best) head.push({ text: ' ★ best of its cohort', tone: 'good' });
  if (cellWidth(head.map((r) => r.text).join('')) <= width) rows.push(head);
  else para(head.map((r) => r.text).join(''));

  para(`reason: ${sanitize(t.reason) || '—'}`);
  if (t.operator.length) para(`operator: ${sanitize(t.operator.join('; '))}`);
  // A code trial without params (an edit to the code alone) has no params heading.
  if (Object.keys(t.params).length || t.proposal.kind !== 'code') heading('params');
  for (const [k, v] of Object.entries(t.params)) para(`${sanitize(k)} = ${JSON.stringify(v)}`, 'normal', '  ', '    ');
  const metrics = Object.keys(t.metrics).length ? t.metrics : t.last;
  if (Object.keys(metrics).length) {
    heading(Object.keys(t.metrics).length ? 'final metrics' : 'latest metrics');
    para(Object.entries(metrics).map(([k, v]) => `${sanitize(k)}=${formatScore(v)}`).join('  '), 'normal', '  ', '  ');
  }
  if (t.score !== null) rows.push([{ text: `score (${sanitize(s.metric)}): `, tone: 'normal' }, { text: formatScore(t.score), tone: 'file' }]);
  if (t.proposal.kind === 'code') {
    heading('hypothesis');
    para(sanitize(t.proposal.hypothesis), 'normal', '  ', '  ');
    const marks: Run[] = [];
    if (s.review === 'manual' && t.status === 'queued' && !t.approved) marks.push({ text: `awaits approval (${(['approve', 'reject', 'edit'] as const).map((id) => `${BY_ID[id].keys[0]} ${id}`).join(' · ')})`, tone: 'warn' });
    else if (t.approved) marks.push({ text: 'approved by the operator', tone: 'good' });
    if (t.edited) marks.push({ text: `${marks.length ? ' · ' : ''}diff edited by the operator`, tone: 'accent' });
    if (marks.length) rows.push([{ text: '  ', tone: 'normal' }, ...marks]);
    // Short hashes, as `git log --oneline` prints them.
    const short = (h: string) => sanitize(h).slice(0, 8);
    const commit = t.commit ? `commit ${short(t.commit)}${t.base ? ` on ${short(t.base)}` : ''}` : t.proposal.base ? `not committed yet (proposed on ${short(t.proposal.base)})` : 'not committed yet';
    const st = diffStats(t.proposal.diff);
    heading(`diff · ${st.files} file(s), +${st.added} −${st.removed} · ${commit}`);
    rows.push(...wrapDiff(t.proposal.diff, width));
  }
  heading(`output (last ${tail.length} lines${t.locator ? ` of ${sanitize(t.locator.dir)}/output.log` : ''})`);
  // Wrapping a megabyte line only to show six rows of it would cost every frame: cut it first.
  const cap = width * (MAX_ROWS_PER_OUTPUT_LINE + 1);
  for (const l of tail) {
    const clean = cleanOutputLine(l);
    para(clean.length > cap ? clean.slice(0, cap).replace(/[\ud800-\udbff]$/, '') : clean, 'dim', '  ', '  ', MAX_ROWS_PER_OUTPUT_LINE);
  }
  return rows;
}

/** The furthest the view can scroll: the last row at the bottom. */
export function detailMaxScroll(rows: number, height: number): number {
  return Math.max(0, rows - Math.max(1, height - 1));
}

export function Detail({ rows, width, height, scroll }: { rows: Run[][]; width: number; height: number; scroll: number }) {
  const view = Math.max(1, height - 1);
  const from = Math.min(Math.max(0, scroll), detailMaxScroll(rows.length, height));
  const shown = rows.slice(from, from + view);
  const [back, scrollHint] = promptHints('detail');
  const more = rows.length > view ? ` · ${scrollHint} · rows ${from + 1}–${from + shown.length} of ${rows.length}` : '';
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((runs, i) => (runs.length ? <Line key={i} runs={runs} /> : <Text key={i}> </Text>))}
      <Text dimColor wrap="truncate-end">
        {`${back}${more}`}
      </Text>
    </Box>
  );
}
