// The pending panel: what runs next, or under review manual what waits for the operator. For a
// code proposal: whether it awaits approval or was edited by a person, its hypothesis, and its
// coloured diff, which scrolls (J/K) when it is longer than the panel.
import React from 'react';
import { Box, Text } from 'ink';
import { getTrial, type CampaignState, type TrialState } from '../src/state.js';
import { colorDiff, diffStats } from '../src/format/diff.js';
import { Line } from './Line.js';
import { describeTrial } from './rows.js';
import { sanitize } from '../src/format/sanitize.js';
import { truncate, type Run } from '../src/format/text.js';
import { wrapText } from '../src/format/wrap.js';
import { awaitsApproval, pendingTrial } from './pending.js';
import { BY_ID } from './keymap.js';

/**
 * Significant digits of a number in the panel: a sampled float prints 17 digits in full otherwise,
 * and the next proposal is read at a glance (the detail view has the exact value).
 */
const NEXT_UP_DIGITS = 4;
/** The hypothesis takes at most this many rows; the detail view has it whole. */
const HYPOTHESIS_ROWS = 2;
/** From this height on the hypothesis may take HYPOTHESIS_ROWS rows. */
const ROOMY = 12;

const key = (id: keyof typeof BY_ID) => BY_ID[id].keys[0];

/** The panel's title row: what it shows, the trial, and a person's edit. */
function titleRuns(s: CampaignState, t: TrialState | undefined): Run[] {
  const waiting = t !== undefined && awaitsApproval(s, t);
  const runs: Run[] = [{ text: `${waiting ? 'awaiting review' : 'next up'}${s.paused ? ' (paused)' : ''}`, tone: 'file' }];
  if (t?.proposal.kind === 'code') {
    runs.push({ text: ` #${t.id}`, tone: 'file' }, { text: ` ${sanitize(t.proposer)}`, tone: 'dim' });
    if (t.approved) runs.push({ text: ' approved', tone: 'good' });
    if (t.edited) runs.push({ text: ' · edited by the operator', tone: 'accent' });
  }
  if (s.review === 'manual') runs.push({ text: ' · review manual', tone: 'dim' });
  return runs;
}

/**
 * The git header block of each file (diff --git, index, ---, +++) as one row naming the file: the
 * panel is small, and the change is what the operator reads (the detail view has the full diff).
 */
function compactDiff(diff: string, width: number): Run[][] {
  const rows: Run[][] = [];
  for (const runs of colorDiff(diff, width)) {
    const text = runs[0]?.text ?? '';
    if (runs[0]?.tone === 'file' && /^(diff --git |index |--- )/.test(text)) continue;
    if (runs[0]?.tone === 'file' && text.startsWith('+++ ')) rows.push([{ text: text.slice(4).replace(/^b\//, ''), tone: 'file' }]);
    else rows.push(runs);
  }
  return rows;
}

export interface PendingLayout {
  rows: Run[][];
  /** How far the diff can scroll (0: it fits). */
  maxScroll: number;
}

/** The panel's rows below its title, for a code proposal: approval, hypothesis, size, the visible diff. */
export function pendingCodeRows(s: CampaignState, t: TrialState, width: number, height: number, scroll: number): PendingLayout {
  if (t.proposal.kind !== 'code') return { rows: [], maxScroll: 0 };
  const head: Run[][] = [];
  if (awaitsApproval(s, t)) head.push([{ text: truncate(`awaits approval: ${key('approve')} approve · ${key('reject')} reject · ${key('edit')} edit`, width), tone: 'warn' }]);
  for (const r of wrapText(sanitize(t.proposal.hypothesis), width, { maxRows: height >= ROOMY ? HYPOTHESIS_ROWS : 1 })) head.push([{ text: r, tone: 'normal' }]);
  const diff = compactDiff(t.proposal.diff, width);
  const view = Math.max(1, height - 1 - head.length - 1);
  const maxScroll = Math.max(0, diff.length - view);
  const from = Math.min(scroll, maxScroll);
  const st = diffStats(t.proposal.diff);
  let size = `${st.files} file(s), +${st.added} −${st.removed}`;
  if (maxScroll > 0) size += ` · ${key('pendingDown')}/${key('pendingUp')} scroll · rows ${from + 1}–${Math.min(diff.length, from + view)} of ${diff.length}`;
  return { rows: [...head, [{ text: truncate(size, width), tone: 'dim' }], ...diff.slice(from, from + view)], maxScroll };
}

export function DiffPanel({ s, width, height, scroll = 0 }: { s: CampaignState; width: number; height: number; scroll?: number }) {
  const next = pendingTrial(s);
  const body: React.ReactNode[] = [];
  if (!next) {
    body.push(<Text key="none" dimColor>{s.finished || s.exhausted ? 'nothing queued: the budget is spent' : 'nothing queued yet'}</Text>);
  } else if (next.proposal.kind === 'code') {
    pendingCodeRows(s, next, width, height, scroll).rows.forEach((runs, i) => body.push(runs.length ? <Line key={`d${i}`} runs={runs} /> : <Text key={`d${i}`}> </Text>));
  } else {
    for (const id of s.queue.slice(0, Math.max(1, height - 1))) {
      const t = getTrial(s, id)!;
      body.push(
        <Text key={id} wrap="truncate-end">
          <Text bold>#{t.id}</Text> <Text dimColor>{sanitize(t.proposer)}</Text> {describeTrial(t, width, NEXT_UP_DIGITS)}
        </Text>,
      );
    }
  }
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Line runs={titleRuns(s, next)} />
      {body}
    </Box>
  );
}
