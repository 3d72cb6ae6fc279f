// The dialogs at the foot of the screen (confirm, quit, switch proposer, filter), as rows wrapped
// to the width before ink sees them: the App gives them as many rows as they need and shrinks the
// panels above, so a choice like "[l] leave them running" or "[y/N]" is never cut off.
import React from 'react';
import { Text } from 'ink';
import { sanitize } from '../src/format/sanitize.js';
import { cellWidth } from '../src/format/text.js';
import { wrapText } from '../src/format/wrap.js';
import type { UiState } from './ui-state.js';
import { BY_ID, LAYERS, promptHints } from './keymap.js';

export interface DialogInput {
  ui: UiState;
  width: number;
  running: number;
  proposers: readonly string[];
  active: string;
}

/** `[y/N]`: yes, and the default. */
const CONFIRM_KEYS = `[${BY_ID['confirm.yes'].keys[0]}/${BY_ID['confirm.no'].keys[0]}]`;

const warn = (rows: string[], keyPrefix: string) =>
  rows.map((r, i) => (
    <Text key={`${keyPrefix}${i}`} color="yellow" bold>
      {r || ' '}
    </Text>
  ));

/** The proposer names as inverse-marked items flowing over as many rows as they need. */
function switchRows(width: number, proposers: readonly string[], active: string, index: number): React.ReactNode[] {
  const rows: React.ReactNode[][] = [[]];
  let used = 0;
  proposers.forEach((p, i) => {
    const item = ` ${p}${p === active ? ' (active)' : ''} `;
    const w = cellWidth(item);
    if (used > 0 && used + w > width) {
      rows.push([]);
      used = 0;
    }
    rows[rows.length - 1].push(
      <Text key={p} inverse={i === index} bold={p === active}>
        {item}
      </Text>,
    );
    used += w;
  });
  return [
    <Text key="title" wrap="truncate-end">
      switch proposer ({promptHints('switch').join(', ')}):
    </Text>,
    ...rows.map((r, i) => <Text key={`r${i}`}>{r}</Text>),
  ];
}

/** The dialog's rows, or null when no dialog is open (the status line shows instead). */
export function dialogRows({ ui, width, running, proposers, active }: DialogInput): React.ReactNode[] | null {
  switch (ui.mode) {
    case 'confirm':
      return ui.confirm ? warn(wrapText(`${ui.confirm.question} ${CONFIRM_KEYS}`, width), 'c') : null;
    case 'quit':
      // One choice a line, `[key] what it does`, wrapped under its text.
      return warn(
        [`${running} trial(s) running.`, ...LAYERS.quit.commands.flatMap((b) => wrapText(`[${b.keys[0]}] ${b.description}`, width, { rest: '    ' }))],
        'q',
      );
    case 'switch':
      return switchRows(width, proposers, active, ui.switchIndex);
    case 'input': {
      if (!ui.input) return null;
      const what = ui.input.kind === 'note' ? 'note for every later prompt of the LLM proposers' : `reject #${ui.input.id} with a note for the model (may be empty)`;
      return wrapText(`${what} (${promptHints('input').join(', ')}): ${sanitize(ui.input.text)}▏`, width).map((r, i) => <Text key={`i${i}`}>{r}</Text>);
    }
    case 'side':
      // The question, then one choice a line: `[k] what it does`.
      return ui.side
        ? warn([...wrapText(ui.side.question, width), ...LAYERS.side.commands.flatMap((b) => wrapText(`[${b.keys[0]}] ${b.description}`, width, { rest: '    ' }))], 's')
        : null;
    case 'filter':
      return wrapText(`filter (status like crash,pruned or any text; ${promptHints('filter').join(', ')}): ${sanitize(ui.draft)}▏`, width).map((r, i) => (
        <Text key={`f${i}`}>{r}</Text>
      ));
    default:
      return null;
  }
}
