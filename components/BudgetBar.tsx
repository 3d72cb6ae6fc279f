// Budget burn: one bar per limit in force, used / total, and a time-to-exhaustion forecast.
import React from 'react';
import { Box, Text } from 'ink';
import { spend, type CampaignState } from '../src/state.js';
import { elapsedSoFar } from './Header.js';
import { budgetLines, renderBar } from '../src/format/budget.js';
import { padEnd } from '../src/format/text.js';
import { styleOf, noColor } from './theme.js';

export function BudgetBar({ s, now, width }: { s: CampaignState; now: number; width: number }) {
  const elapsed = elapsedSoFar(s, now);
  const finishedTrials = s.counted - s.running.length;
  const lines = budgetLines({
    trials: s.budget.trials !== undefined ? { used: s.counted, total: s.budget.trials } : undefined,
    wallMs: s.budget.wall_ms !== undefined ? { used: elapsed, total: s.budget.wall_ms } : undefined,
    patience: s.budget.patience !== undefined ? { since: s.since_improvement, total: s.budget.patience } : undefined,
    // Model calls plus priced GPU time, as the engine's budget.usd stop counts them.
    usd: s.budget.usd !== undefined ? { used: spend(s, s.budget.gpu_hour_usd).total_usd, total: s.budget.usd } : undefined,
    elapsedMs: elapsed,
    finishedTrials,
    finished: s.finished !== null,
  });
  if (lines.length === 0) return <Text dimColor>no budget limits: runs until stopped</Text>;
  const labelW = Math.max(...lines.map((l) => l.label.length));
  const textW = Math.max(...lines.map((l) => l.text.length));
  const barW = Math.max(4, width - labelW - textW - 16);
  return (
    <Box flexDirection="column" width={width}>
      {lines.map((l) => (
        <Text key={l.label} wrap="truncate-end">
          {padEnd(l.label, labelW)} <Text {...styleOf(l.tone)}>{renderBar(l.fraction, barW, noColor())}</Text> {padEnd(l.text, textW)}{' '}
          <Text dimColor>{l.forecast ?? ''}</Text>
        </Text>
      ))}
    </Box>
  );
}
