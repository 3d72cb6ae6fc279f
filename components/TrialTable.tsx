// The trial table: a window of rows around the cursor (never all 5,000), memoized per trial. Its
// columns, titles and cells are data in trial-columns.ts.
import React, { memo, useMemo } from 'react';
import { Box, Text } from 'ink';
import type { CampaignState, TrialState } from '../src/state.js';
import { layoutColumns, type ColumnLayout } from '../src/format/columns.js';
import { sanitize } from '../src/format/sanitize.js';
import type { Run } from '../src/format/text.js';
import { trialCell, trialColumns, trialHeader } from './trial-columns.js';
import { Line } from './Line.js';

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
  /** The campaign runs on remote hosts: the host:slot column is kept before most others. */
  hosts?: boolean;
}

interface RowProps {
  t: TrialState;
  layout: ColumnLayout[];
  selected: boolean;
  now: number;
  bestScore: number | null;
  goal: CampaignState['goal'];
}

const Row = memo(function Row({ t, layout, selected, now, bestScore, goal }: RowProps) {
  const runs: Run[] = [];
  layout.forEach((c, i) => {
    if (i > 0) runs.push({ text: ' ', tone: 'normal' });
    runs.push(trialCell(c, t, { now, bestScore, goal }));
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

export function TrialTable({ s, rows, cursor, height, width, now, bestScore, filter = '', hosts = false }: TableProps) {
  const layout = useMemo(() => layoutColumns(trialColumns(hosts), width, 1), [width, hosts]);
  const bodyHeight = Math.max(1, height - 1);
  // Keep the cursor in view: a window that scrolls only when the cursor leaves it.
  const start = Math.max(0, Math.min(cursor - Math.floor(bodyHeight / 2), rows.length - bodyHeight));
  const visible = rows.slice(start, start + bodyHeight);
  const header = trialHeader(layout);
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
