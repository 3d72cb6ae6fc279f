// Learning curves: the selected trial over the incumbent and the median of completed trials, with
// the pruner's threshold at the selected trial's current step when the pruner can judge it there.
import React, { useMemo } from 'react';
import { Box, Text } from 'ink';
import { getTrial, type CampaignState, type TrialState } from '../src/state.js';
import { medianCurve, medianPrune, type PrunerSettings } from '../src/engine/pruner.js';
import { plotCurves } from '../src/format/curve.js';
import { Line } from './Line.js';
import { noColor } from './theme.js';
import type { Tone } from '../src/format/text.js';

export interface CurvesProps {
  s: CampaignState;
  selected: TrialState | undefined;
  completed: ReadonlyArray<ReadonlyMap<number, number>>;
  width: number;
  height: number;
  /** The median pruner's settings, or null when no pruner is configured. */
  pruner: PrunerSettings | null;
}

export function Curves({ s, selected, completed, width, height, pruner }: CurvesProps) {
  const median = useMemo(() => medianCurve(completed, Math.max(10, width * 2)), [completed, width]);
  // The incumbent: the best, or the finished trial the operator promoted.
  const incumbentId = s.incumbent ?? s.best;
  const best = incumbentId !== null ? getTrial(s, incumbentId) : undefined;
  const label = incumbentId === s.best ? 'best' : 'incumbent';
  const series: Array<{ points: ReadonlyArray<readonly [number, number]>; tone: Tone; glyph: string; label: string }> = [];
  if (median.length) series.push({ points: median.map((m) => [m.step, m.median] as const), tone: 'median', glyph: '·', label: 'median' });
  if (best && best.id !== selected?.id && best.curve.length) series.push({ points: best.curve.toArray(), tone: 'incumbent', glyph: '+', label: `${label} #${best.id}` });
  if (selected && selected.curve.length) series.push({ points: selected.curve.toArray(), tone: 'selected', glyph: '●', label: `#${selected.id}` });
  // The threshold is drawn only where the pruner would judge: past its warmup, with enough
  // completed trials at this very step (the same rule the engine applies, not a look-alike).
  const curve = selected?.status === 'running' ? selected.curve : null;
  const threshold = useMemo(
    () => (pruner && curve && curve.lastStep !== null ? medianPrune(curve.byStepMap(), completed, s.goal, pruner).threshold : null),
    [pruner, curve, completed, s.goal],
  );
  const lines = plotCurves({ series, width, height: Math.max(3, height - 1), goal: s.goal, threshold, ascii: noColor() });
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate-end">
        {s.metric} vs step{selected ? ` — #${selected.id} (${selected.status})` : ''}
      </Text>
      {lines.map((runs, i) => (
        <Line key={i} runs={runs} />
      ))}
    </Box>
  );
}
