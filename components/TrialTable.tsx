// The trial table: a window of rows around the cursor (never all 5,000), memoized per trial.
import React, { memo, useMemo } from 'react';
import { Box, Text } from 'ink';
import type { CampaignState, TrialState } from '../src/state.js';
import { layoutColumns, TRIAL_COLUMNS } from './format/columns.js';
import { formatDelta, formatDuration, formatScore, padEnd, padStart, sanitize, statusGlyph, truncate, type Run } from './format/cells.js';
import { describeTrial } from './rows.js';
import { Line } from './Line.js';
import { noColor } from './theme.js';


const TITLES: Record<string, string> = {
  id: 'id', status: 'status', proposer: 'proposer', host: 'host', step: 'step', latest: 'latest',
  score: 'final', delta: 'Δbest', time: 'time', description: 'description',
};

const RIGHT = new Set(['step', 'latest', 'score', 'delta', 'time']);

export interface TableProps {
  s: CampaignState;
  rows: TrialState[];
  cursor: number;
  height: number;
  width: number;
  now: number;
  bestScore: number | null;
  /** The filter in force: an empty table then says nothing matched, not that nothing ran. */
  filter?: string;
}

function cellRuns(key: string, t: TrialState, w: number, p: { now: number; bestScore: number | null; goal: CampaignState['goal'] }): Run {
  const put = (text: string, tone: Run['tone'] = 'normal'): Run => ({ text: RIGHT.has(key) ? padStart(truncate(text, w), w) : padEnd(truncate(text, w), w), tone });
  switch (key) {
    case 'id':
      return put(`#${t.id}`);
    case 'status': {
      const g = statusGlyph(t.status);
      return put(`${noColor() ? g.ascii : g.glyph} ${g.label}`, g.tone);
    }
    case 'proposer':
      return put(t.proposer, 'dim');
    case 'host':
      return put(t.host ?? '', 'dim');
    case 'step':
      return put(t.curve.lastStep === null ? '' : String(t.curve.lastStep));
    case 'latest':
      return put(formatScore(t.curve.lastValue));
    case 'score':
      return put(t.score === null ? '' : formatScore(t.score), t.best ? 'good' : 'normal');
    case 'delta': {
      if (t.score === null && t.status !== 'running') return put('');
      const d = formatDelta(t.score ?? t.curve.lastValue, p.bestScore, p.goal);
      return put(d.text, d.tone);
    }
    case 'time': {
      const ms = t.duration_ms ?? (t.started_at !== undefined && t.status === 'running' ? p.now - t.started_at : undefined);
      return put(ms === undefined ? '' : formatDuration(ms), 'dim');
    }
    default:
      // Failures show their reason beside the params: that is what the operator needs to see.
      return put(t.status === 'keep' || t.status === 'discard' || t.status === 'running' || t.status === 'queued' ? describeTrial(t, w) : `${describeTrial(t, Math.floor(w * 0.6))}  ${sanitize(t.reason)}`);
  }
}

interface RowProps {
  t: TrialState;
  layout: Array<{ key: string; width: number }>;
  selected: boolean;
  now: number;
  bestScore: number | null;
  goal: CampaignState['goal'];
}

const Row = memo(function Row({ t, layout, selected, now, bestScore, goal }: RowProps) {
  const runs: Run[] = [];
  layout.forEach((c, i) => {
    if (i > 0) runs.push({ text: ' ', tone: 'normal' });
    runs.push(cellRuns(c.key, t, c.width, { now, bestScore, goal }));
  });
  if (selected) {
    return (
      <Text inverse wrap="truncate-end">
        {runs.map((r) => r.text).join('')}
      </Text>
    );
  }
  return <Line runs={runs} />;
});

export function TrialTable({ s, rows, cursor, height, width, now, bestScore, filter = '' }: TableProps) {
  const layout = useMemo(() => layoutColumns(TRIAL_COLUMNS, width, 1), [width]);
  const bodyHeight = Math.max(1, height - 1);
  // Keep the cursor in view: a window that scrolls only when the cursor leaves it.
  const start = Math.max(0, Math.min(cursor - Math.floor(bodyHeight / 2), rows.length - bodyHeight));
  const visible = rows.slice(start, start + bodyHeight);
  const header = layout.map((c) => (RIGHT.has(c.key) ? padStart(TITLES[c.key], c.width) : padEnd(TITLES[c.key], c.width))).join(' ');
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate-end">
        {header}
      </Text>
      {visible.map((t, i) => (
        <Row key={t.id} t={t} layout={layout} selected={start + i === cursor} now={t.status === 'running' ? now : 0} bestScore={bestScore} goal={s.goal} />
      ))}
      {rows.length === 0 ? (
        <Text dimColor wrap="truncate-end">
          {filter.trim() ? `no trial matches the filter "${sanitize(filter.trim())}" (/ then Enter on an empty filter shows all)` : 'no trials yet — the proposer is warming up'}
        </Text>
      ) : null}
    </Box>
  );
}
