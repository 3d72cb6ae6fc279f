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

const key = (id: keyof typeof BY_ID) => BY_ID[id].keys[0];

/** The rows above a code proposal's diff: status, hypothesis, size. */
function codeHead(s: CampaignState, t: TrialState & { proposal: { kind: 'code' } }, width: number, roomy: boolean): Run[][] {
  const head: Run[] = [
    { text: `#${t.id}`, tone: 'file' },
    { text: ` ${sanitize(t.proposer)}`, tone: 'dim' },
  ];
  if (awaitsApproval(s, t)) head.push({ text: ` awaits approval: ${key('approve')} approve · ${key('reject')} reject · ${key('edit')} edit`, tone: 'warn' });
  else if (t.approved) head.push({ text: ' approved', tone: 'good' });
  if (t.edited) head.push({ text: ' · edited by the operator', tone: 'accent' });
  const rows: Run[][] = [[...head.slice(0, 2), ...head.slice(2).map((r) => ({ ...r, text: truncate(r.text, Math.max(0, width - 12)) }))]];
  for (const r of wrapText(sanitize(t.proposal.hypothesis), width, { maxRows: roomy ? HYPOTHESIS_ROWS : 1 })) rows.push([{ text: r, tone: 'normal' }]);
  return rows;
}

export interface PendingLayout {
  rows: Run[][];
  /** How far the diff can scroll (0: it fits). */
  maxScroll: number;
}

/** The panel's rows below its title, for a code proposal: head, size line, the visible diff. */
export function pendingCodeRows(s: CampaignState, t: TrialState, width: number, height: number, scroll: number): PendingLayout {
  if (t.proposal.kind !== 'code') return { rows: [], maxScroll: 0 };
  const head = codeHead(s, t as TrialState & { proposal: { kind: 'code' } }, width, height >= 8);
  const diff = colorDiff(t.proposal.diff, width);
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
  const title = `${s.review === 'manual' && next && awaitsApproval(s, next) ? 'awaiting review' : 'next up'}${s.paused ? ' (paused)' : ''}${s.review === 'manual' ? ' · review manual' : ''}`;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        {title}
      </Text>
      {body}
    </Box>
  );
}
