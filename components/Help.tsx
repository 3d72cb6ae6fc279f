// The help overlay, generated from the key map. Laid out into exact rows before ink sees them, so
// it fits any screen: roomy when there is space; compact (no blank rows, the navigation keys on
// one flowing line) at 80×24; scrolled with ↑/↓ when even that does not fit.
import React from 'react';
import { Box, Text } from 'ink';
import { CATEGORY_TITLES, KEYMAP, promptHints, type Binding, type Category } from './keymap.js';
import { cellWidth, padEnd, type Run } from '../src/format/text.js';
import { wrapText } from '../src/format/wrap.js';
import { Line } from './Line.js';

const CATEGORIES: Category[] = ['steer', 'review', 'view', 'navigate'];
const ASKS = ' (asks first)';
const TITLE = 'Keys: they act on the trial under the cursor (Esc to close)';

type Row = { heading: string } | { runs: Run[] };

const keysOf = (b: Binding) => b.keys.join(' ');

/** One entry: keys in a column, the description wrapped beside them with a hanging indent. */
function entryRows(b: Binding, keyW: number, width: number): Row[] {
  const text = b.description + (b.danger ? ASKS : '');
  return wrapText(text, Math.max(10, width - keyW)).map((line, i) => {
    const runs: Run[] = [{ text: i === 0 ? padEnd(keysOf(b), keyW) : ' '.repeat(keyW), tone: 'accent' }];
    if (b.danger && line.endsWith(ASKS.trim())) {
      runs.push({ text: line.slice(0, -ASKS.trim().length), tone: 'normal' }, { text: ASKS.trim(), tone: 'dim' });
    } else runs.push({ text: line, tone: 'normal' });
    return { runs };
  });
}

/** Short entries as `keys label` items flowing across rows. */
function flowRows(bindings: readonly Binding[], width: number): Row[] {
  const rows: Row[] = [];
  let runs: Run[] = [];
  let used = 0;
  for (const b of bindings) {
    const item = cellWidth(keysOf(b)) + 1 + cellWidth(b.label);
    const sep = used === 0 ? 0 : 3;
    if (used > 0 && used + sep + item > width) {
      rows.push({ runs });
      runs = [];
      used = 0;
    }
    if (used > 0) runs.push({ text: ' · ', tone: 'dim' });
    runs.push({ text: keysOf(b), tone: 'accent' }, { text: ` ${b.label}`, tone: 'normal' });
    used += (used > 0 ? 3 : 0) + item;
  }
  if (runs.length) rows.push({ runs });
  return rows;
}

export function helpRows(width: number, compact: boolean): Row[] {
  const keyW = Math.max(...KEYMAP.map((b) => cellWidth(keysOf(b)))) + 2;
  const rows: Row[] = [{ runs: [{ text: TITLE, tone: 'file' }] }];
  for (const c of CATEGORIES) {
    if (!compact) rows.push({ runs: [] });
    rows.push({ heading: CATEGORY_TITLES[c] });
    const bindings = KEYMAP.filter((b) => b.category === c);
    // Navigation keys say what they do in their label; listed in full only when there is room.
    if (compact && c === 'navigate') rows.push(...flowRows(bindings, width));
    else for (const b of bindings) rows.push(...entryRows(b, keyW, width));
  }
  return rows;
}

/** How far the help can scroll at this size (0 when it fits). */
export function helpMaxScroll(width: number, height: number): number {
  const rows = helpRows(width, true);
  return rows.length <= height ? 0 : rows.length - (height - 1);
}

export function Help({ width, height, scroll = 0 }: { width: number; height: number; scroll?: number }) {
  let rows = helpRows(width, false);
  let footer: string | null = null;
  if (rows.length > height) rows = helpRows(width, true);
  if (rows.length > height) {
    const view = Math.max(1, height - 1);
    const from = Math.max(0, Math.min(scroll, rows.length - view));
    footer = `${promptHints('help').join(' · ')} · rows ${from + 1}–${Math.min(rows.length, from + view)} of ${rows.length}`;
    rows = rows.slice(from, from + view);
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      {rows.map((r, i) =>
        'heading' in r ? (
          <Text key={i} bold underline wrap="truncate-end">
            {r.heading}
          </Text>
        ) : r.runs.length === 0 ? (
          <Text key={i}> </Text>
        ) : (
          <Line key={i} runs={r.runs} />
        ),
      )}
      {footer ? <Text dimColor>{footer}</Text> : null}
    </Box>
  );
}
