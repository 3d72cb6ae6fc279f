// The pending panel: what runs next. For a code proposal, its hypothesis and a coloured diff.
import React from 'react';
import { Box, Text } from 'ink';
import { getTrial, type CampaignState } from '../src/state.js';
import { colorDiff, diffStats } from '../src/format/diff.js';
import { Line } from './Line.js';
import { describeTrial } from './rows.js';
import { sanitize } from '../src/format/sanitize.js';
import { truncate } from '../src/format/text.js';

/**
 * Significant digits of a number in the panel: a sampled float prints 17 digits in full otherwise,
 * and the next proposal is read at a glance (the detail view has the exact value).
 */
const NEXT_UP_DIGITS = 4;

export function DiffPanel({ s, width, height, scroll = 0 }: { s: CampaignState; width: number; height: number; scroll?: number }) {
  const next = s.queue.length ? getTrial(s, s.queue[0]) : undefined;
  const body: React.ReactNode[] = [];
  if (!next) {
    body.push(<Text key="none" dimColor>{s.finished || s.exhausted ? 'nothing queued: the budget is spent' : 'nothing queued yet'}</Text>);
  } else if (next.proposal.kind === 'code') {
    const st = diffStats(next.proposal.diff);
    body.push(
      <Text key="h" wrap="truncate-end">
        <Text bold>#{next.id}</Text> {truncate(sanitize(next.proposal.hypothesis), width - 8)}
      </Text>,
      <Text key="st" dimColor>
        {st.files} file(s), +{st.added} −{st.removed}
      </Text>,
    );
    colorDiff(next.proposal.diff, width)
      .slice(scroll, scroll + Math.max(1, height - 3))
      .forEach((runs, i) => body.push(<Line key={`d${i}`} runs={runs} />));
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
    <Box flexDirection="column" width={width} height={height}>
      <Text bold>next up{s.paused ? ' (paused)' : ''}</Text>
      {body}
    </Box>
  );
}
