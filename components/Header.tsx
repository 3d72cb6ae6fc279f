// The header: campaign, state, proposer, best score with its trial and age, elapsed time. On a
// narrow terminal whole parts are left out, least useful first, instead of cutting words.
import React from 'react';
import { Box, Text } from 'ink';
import { elapsedMs, getTrial, runState, type CampaignState } from '../src/state.js';
import { formatScore } from '../src/format/number.js';
import { sanitize } from '../src/format/sanitize.js';
import { cellWidth, truncate, type Run } from '../src/format/text.js';
import { formatAgo, formatDuration } from '../src/format/time.js';
import { styleOf } from './theme.js';

const STATE_TONE = { RUNNING: 'good', PAUSED: 'warn', DRAINING: 'warn', FINISHED: 'accent', STARTING: 'dim' } as const;

/** The journal has no `campaign.started` yet: the first frame, before the engine's first event. */
export const notStarted = (s: CampaignState): boolean => s.started_at === 0;

/** Elapsed active time, 0 before the campaign started (state's clock then reads from the epoch). */
export function elapsedSoFar(s: CampaignState, now: number): number {
  return notStarted(s) ? 0 : elapsedMs(s, now);
}

/** A run; `strong` ones (the state) are drawn bold and inverse. */
export type HeaderRun = Run & { strong?: boolean };

interface Part {
  runs: HeaderRun[];
  /** Dropped in increasing order when the line is too wide; Infinity: never. */
  priority: number;
}

export function headerRuns(s: CampaignState, now: number, width: number, fallbackName = ''): HeaderRun[] {
  const starting = notStarted(s);
  const state = starting ? 'STARTING' : runState(s);
  const best = s.best !== null ? getTrial(s, s.best) : undefined;
  const found = best?.finished_at;
  const name = sanitize(s.name || fallbackName);
  const parts: Part[] = [
    { runs: [{ text: 'nightshift', tone: 'file' }], priority: 4.5 },
    { runs: [{ text: ` ${name}`, tone: 'normal' }], priority: Infinity },
    { runs: [{ text: ' ', tone: 'normal' }, { text: ` ${state} `, tone: STATE_TONE[state], strong: true }], priority: Infinity },
  ];
  if (!starting) {
    parts.push({ runs: [{ text: '  proposer ', tone: 'normal' }, { text: sanitize(s.proposer), tone: 'accent' }], priority: 4 });
    if (best) {
      parts.push({ runs: [{ text: '  best ', tone: 'normal' }, { text: `${sanitize(s.metric)}=${formatScore(best.score)}`, tone: 'good' }, { text: ` #${best.id}`, tone: 'normal' }], priority: 6 });
      if (found) parts.push({ runs: [{ text: ` ${formatAgo(now - found)}`, tone: 'normal' }], priority: 1 });
    } else parts.push({ runs: [{ text: '  best ', tone: 'normal' }, { text: 'none yet', tone: 'dim' }], priority: 6 });
    parts.push({ runs: [{ text: `  ${s.goal === 'minimize' ? '↓' : '↑'} ${s.goal}`, tone: 'dim' }], priority: 0 });
    parts.push({ runs: [{ text: `  elapsed ${formatDuration(elapsedSoFar(s, now))}`, tone: 'dim' }], priority: 5 });
    if (s.finished) parts.push({ runs: [{ text: `  (${sanitize(s.finished.reason)})`, tone: 'dim' }], priority: 3 });
  }
  const widthOf = (p: Part) => cellWidth(p.runs.map((r) => r.text).join(''));
  const kept = [...parts];
  let total = kept.reduce((n, p) => n + widthOf(p), 0);
  while (total > width) {
    let drop = -1;
    kept.forEach((p, i) => {
      if (p.priority !== Infinity && (drop < 0 || p.priority < kept[drop].priority)) drop = i;
    });
    if (drop < 0) break;
    total -= widthOf(kept[drop]);
    kept.splice(drop, 1);
  }
  const runs = kept.flatMap((p) => p.runs);
  // Only a name too long for the screen on its own is cut (with an ellipsis).
  if (total > width) {
    const nameRun = runs.find((r) => r.text === ` ${name}`);
    if (nameRun) nameRun.text = truncate(nameRun.text, Math.max(1, cellWidth(nameRun.text) - (total - width)));
  }
  return runs;
}

export function Header({ s, now, width, name }: { s: CampaignState; now: number; width: number; name?: string }) {
  const runs = headerRuns(s, now, width, name);
  return (
    <Box width={width}>
      <Text wrap="truncate-end">
        {runs.map((r, i) => (
          <Text key={i} {...styleOf(r.tone)} bold={r.strong || styleOf(r.tone).bold} inverse={r.strong}>
            {r.text}
          </Text>
        ))}
      </Text>
    </Box>
  );
}
