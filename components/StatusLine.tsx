// The footer: the last message, then key hints generated from the key map.
import React from 'react';
import { Text } from 'ink';
import { KEYMAP } from './keymap.js';
import type { Message } from './ui-state.js';
import { styleOf } from './theme.js';

export function StatusLine({ message, width, filter }: { message: Message | null; width: number; filter: string }) {
  // Help and quit first: on a narrow terminal the rest is cut, and those two lead to everything else.
  const first = new Set(['help', 'quit']);
  const hints = [...KEYMAP.filter((b) => first.has(b.id)), ...KEYMAP.filter((b) => b.hint && !first.has(b.id))].map((b) => `${b.keys[0]} ${b.label}`);
  return (
    <Text wrap="truncate-end">
      {message ? <Text {...styleOf(message.tone === 'bad' ? 'bad' : message.tone === 'good' ? 'good' : 'normal')}>{message.text}  </Text> : null}
      {filter ? <Text color="yellow">[filter: {filter}]  </Text> : null}
      <Text dimColor>{hints.join('  ').slice(0, width)}</Text>
    </Text>
  );
}
