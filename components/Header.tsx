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
import type { ProposerSide } from '../src/types.js';
import { BY_ID } from './keymap.js';

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

/** The header says why the active side is active only when this many cells are left for it. */
const MIN_REASON = 12;

export function headerRuns(s: CampaignState, now: number, width: number, fallbackName = '', side?: ProposerSide): HeaderRun[] {
  const starting = notStarted(s);
  let proposerPart: Part | undefined;
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
    const proposer: HeaderRun[] = [{ text: '  proposer ', tone: 'normal' }, { text: sanitize(s.proposer), tone: 'accent' }];
    if (side) proposer.push({ text: ` (${side})`, tone: side === 'code' ? 'warn' : 'accent' });
    parts.push({ runs: proposer, priority: 4 });
    proposerPart = parts[parts.length - 1];
    if (s.review === 'manual') parts.push({ runs: [{ text: '  review manual', tone: 'warn' }], priority: 3.5 });
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
  // No room for the proposer's name: its side at least (the side is what the operator steers).
  if (side && proposerPart && !kept.includes(proposerPart)) {
    const short: Part = { runs: [{ text: `  ${side} side`, tone: side === 'code' ? 'warn' : 'accent' }], priority: 4 };
    if (total + widthOf(short) <= width) {
      kept.splice(Math.min(kept.length, 3), 0, short);
      total += widthOf(short);
    }
  }
  const runs = kept.flatMap((p) => p.runs);
  // Why this side is active (escalated, fell back, switched by the operator): what room is left.
  if (!starting && s.active_reason && width - total >= MIN_REASON) {
    runs.push({ text: truncate(`  — ${sanitize(s.active_reason)}`, width - total), tone: 'dim' });
  }
  // Only a name too long for the screen on its own is cut (with an ellipsis).
  if (total > width) {
    const nameRun = runs.find((r) => r.text === ` ${name}`);
    if (nameRun) nameRun.text = truncate(nameRun.text, Math.max(1, cellWidth(nameRun.text) - (total - width)));
  }
  return runs;
}

/**
 * When the hybrid switch asked the operator (both sides stalled, dispatch paused): two highlighted
 * rows, the reason and the keys that answer it. None otherwise.
 */
export function askRows(s: CampaignState, width: number, side?: ProposerSide): string[] {
  if (!s.ask) return [];
  const other = side === 'code' ? 'params' : 'code';
  const k = (id: keyof typeof BY_ID) => BY_ID[id].keys[0];
  return [
    truncate(` paused, asking you: ${sanitize(s.ask)}`, width),
    truncate(` answer: ${k('side')} switch to the ${other} side · ${k('switch')} choose a proposer · ${k('pause')} resume as it is`, width),
  ];
}

export function Header({ s, now, width, name, side }: { s: CampaignState; now: number; width: number; name?: string; side?: ProposerSide }) {
  const runs = headerRuns(s, now, width, name, side);
  const ask = askRows(s, width, side);
  return (
    <Box width={width} flexDirection="column">
      <Text wrap="truncate-end">
        {runs.map((r, i) => (
          <Text key={i} {...styleOf(r.tone)} bold={r.strong || styleOf(r.tone).bold} inverse={r.strong}>
            {r.text}
          </Text>
        ))}
      </Text>
      {ask.map((r, i) => (
        <Text key={i} color={styleOf('warn').color} bold inverse wrap="truncate-end">
          {r}
        </Text>
      ))}
    </Box>
  );
}
