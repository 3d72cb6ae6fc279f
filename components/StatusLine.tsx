// The footer: the last message, then key hints generated from the key map. Hints are whole or
// absent: on a narrow terminal the last ones are left out, never cut mid-word.
import React from 'react';
import { Text } from 'ink';
import { KEYMAP } from './keymap.js';
import type { Message } from './ui-state.js';
import { styleOf } from './theme.js';
import { sanitize } from '../src/format/sanitize.js';
import { cellWidth, truncate } from '../src/format/text.js';

const GAP = '  ';

/** Hints in footer order: help and quit first (on a narrow terminal they lead to everything else). */
export function footerHints(): string[] {
  const first = new Set(['help', 'quit']);
  return [...KEYMAP.filter((b) => first.has(b.id)), ...KEYMAP.filter((b) => b.hint && !first.has(b.id))].map((b) => `${b.keys[0]} ${b.label}`);
}

/** As many whole hints as fit in `width` cells. */
export function fitHints(hints: readonly string[], width: number): string {
  let out = '';
  for (const h of hints) {
    const next = out ? out + GAP + h : h;
    if (cellWidth(next) > width) break;
    out = next;
  }
  return out;
}

export function StatusLine({ message, width, filter }: { message: Message | null; width: number; filter: string }) {
  const msg = message ? truncate(sanitize(message.text), width) : '';
  const filt = filter ? truncate(`[filter: ${sanitize(filter)}]`, Math.max(0, width - cellWidth(msg) - (msg ? GAP.length : 0))) : '';
  const lead = [msg, filt].filter(Boolean).join(GAP);
  const room = width - cellWidth(lead) - (lead ? GAP.length : 0);
  const hints = room > 0 ? fitHints(footerHints(), room) : '';
  return (
    <Text wrap="truncate-end">
      {msg ? <Text {...styleOf(message!.tone === 'bad' ? 'bad' : message!.tone === 'good' ? 'good' : 'normal')}>{msg}</Text> : null}
      {msg && (filt || hints) ? GAP : null}
      {filt ? <Text color="yellow">{filt}</Text> : null}
      {filt && hints ? GAP : null}
      <Text dimColor>{hints}</Text>
    </Text>
  );
}
