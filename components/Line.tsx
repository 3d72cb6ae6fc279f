// Renders one line of toned runs (what the pure formatters return) as ONE ink text node with the
// colours baked in: a table row or a curve line would otherwise be 10-60 nested nodes, and ink's
// per-node layout and width measuring dominated the frame time (see `npm run bench -- tui`).
import React, { memo } from 'react';
import { Text } from 'ink';
import chalk from 'chalk';
import type { Run } from '../src/format/text.js';
import { styleOf, type Style } from './theme.js';

function paint(text: string, s: Style): string {
  let c = chalk as unknown as typeof chalk;
  if (s.color) c = (c as unknown as Record<string, typeof chalk>)[s.color] ?? c;
  if (s.bold) c = c.bold;
  if (s.dimColor) c = c.dim;
  if (s.inverse) c = c.inverse;
  return c === chalk ? text : c(text);
}

export function paintRuns(runs: readonly Run[]): string {
  let out = '';
  let i = 0;
  while (i < runs.length) {
    // Merge neighbours of the same tone into one styled span.
    let text = runs[i].text;
    let j = i + 1;
    while (j < runs.length && runs[j].tone === runs[i].tone) text += runs[j++].text;
    out += paint(text, styleOf(runs[i].tone));
    i = j;
  }
  return out;
}

export const Line = memo(function Line({ runs }: { runs: Run[] }) {
  // Trailing padding costs ink per-character work every frame and shows nothing.
  return <Text wrap="truncate-end">{paintRuns(trimEnd(runs))}</Text>;
});

function trimEnd(runs: Run[]): Run[] {
  let end = runs.length;
  while (end > 0 && runs[end - 1].text.trim() === '' && !styleOf(runs[end - 1].tone).inverse) end--;
  if (end === 0) return [];
  const last = runs[end - 1];
  const trimmed = last.text.replace(/\s+$/, '');
  return trimmed === last.text && end === runs.length ? runs : [...runs.slice(0, end - 1), { ...last, text: trimmed }];
}
