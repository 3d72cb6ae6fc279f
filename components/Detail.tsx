// The detail view of one trial: params, status and reason, metrics, its last output lines, its diff.
import React from 'react';
import { Box, Text } from 'ink';
import type { CampaignState, TrialState } from '../src/state.js';
import { formatDuration, formatScore, statusGlyph } from './format/cells.js';
import { colorDiff } from './format/diff.js';
import { Line } from './Line.js';
import { styleOf } from './theme.js';

export function Detail({ s, t, tail, width, height, scroll }: { s: CampaignState; t: TrialState; tail: string[]; width: number; height: number; scroll: number }) {
  const g = statusGlyph(t.status);
  const lines: React.ReactNode[] = [];
  const push = (node: React.ReactNode) => lines.push(<Box key={lines.length}>{node}</Box>);
  push(
    <Text wrap="truncate-end">
      <Text bold>#{t.id}</Text> <Text {...styleOf(g.tone)}>{g.glyph} {g.label}</Text> <Text dimColor>{t.proposer} · {t.host ?? 'not started'} · {formatDuration(t.duration_ms)}</Text>
      {t.best ? <Text {...styleOf('good')}> ★ best of its cohort</Text> : null}
    </Text>,
  );
  push(<Text wrap="wrap">reason: {t.reason || '—'}</Text>);
  if (t.operator.length) push(<Text wrap="wrap">operator: {t.operator.join('; ')}</Text>);
  push(<Text bold>params</Text>);
  for (const [k, v] of Object.entries(t.params)) push(<Text wrap="truncate-end">  {k} = {JSON.stringify(v)}</Text>);
  const metrics = Object.keys(t.metrics).length ? t.metrics : t.last;
  if (Object.keys(metrics).length) {
    push(<Text bold>{Object.keys(t.metrics).length ? 'final metrics' : 'latest metrics'}</Text>);
    push(<Text wrap="wrap">  {Object.entries(metrics).map(([k, v]) => `${k}=${formatScore(v)}`).join('  ')}</Text>);
  }
  if (t.score !== null) push(<Text>score ({s.metric}): <Text bold>{formatScore(t.score)}</Text></Text>);
  if (t.proposal.kind === 'code') {
    push(<Text bold>hypothesis</Text>);
    push(<Text wrap="wrap">  {t.proposal.hypothesis}</Text>);
    colorDiff(t.proposal.diff, width).forEach((runs) => push(<Line runs={runs} />));
  }
  push(<Text bold>output (last {tail.length} lines{t.dir ? ` of ${t.dir}/output.log` : ''})</Text>);
  for (const l of tail) push(<Text wrap="truncate-end" dimColor>  {l}</Text>);
  const view = lines.slice(scroll, scroll + height - 1);
  return (
    <Box flexDirection="column" width={width} height={height}>
      {view}
      <Text dimColor>Esc back · ↑/↓ scroll</Text>
    </Box>
  );
}
