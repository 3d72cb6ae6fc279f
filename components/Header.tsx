// The header: campaign, state, proposer, best score with its trial and age, elapsed time.
import React from 'react';
import { Box, Text } from 'ink';
import { elapsedMs, getTrial, runState, type CampaignState } from '../src/state.js';
import { formatAgo, formatDuration, formatScore } from './format/cells.js';
import { styleOf } from './theme.js';

const STATE_TONE = { RUNNING: 'good', PAUSED: 'warn', DRAINING: 'warn', FINISHED: 'accent' } as const;

export function Header({ s, now, width }: { s: CampaignState; now: number; width: number }) {
  const state = runState(s);
  const best = s.best !== null ? getTrial(s, s.best) : undefined;
  const found = best?.finished_at;
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        <Text bold>nightshift</Text>
        <Text> {s.name} </Text>
        <Text {...styleOf(STATE_TONE[state])} bold inverse>
          {` ${state} `}
        </Text>
        <Text>
          {'  '}proposer <Text {...styleOf('accent')}>{s.proposer}</Text>
        </Text>
        <Text>
          {'  '}best{' '}
          {best ? (
            <Text>
              <Text {...styleOf('good')} bold>
                {s.metric}={formatScore(best.score)}
              </Text>{' '}
              #{best.id} {found ? formatAgo(now - found) : ''}
            </Text>
          ) : (
            <Text {...styleOf('dim')}>none yet</Text>
          )}
        </Text>
        <Text {...styleOf('dim')}>
          {'  '}
          {s.goal === 'minimize' ? '↓' : '↑'} {s.goal}
          {'  '}elapsed {formatDuration(elapsedMs(s, now))}
        </Text>
        {s.finished ? <Text {...styleOf('dim')}>{`  (${s.finished.reason})`}</Text> : null}
      </Text>
    </Box>
  );
}
