// The footer: the last message, then key hints generated from the key map.
import React from 'react';
import { Text } from 'ink';
import { KEYMAP } from './keymap.js';
import type { Message } from './ui-state.js';
import { styleOf } from './theme.js';

export function StatusLine({ message, width, filter }: { message: Message | null; width: number; filter: string }) {
  const hints = KEYMAP.filter((b) => b.hint).map((b) => `${b.keys[0]} ${b.label}`);
  return (
    <Text wrap="truncate-end">
      {message ? <Text {...styleOf(message.tone === 'bad' ? 'bad' : message.tone === 'good' ? 'good' : 'normal')}>{message.text}  </Text> : null}
      {filter ? <Text color="yellow">[filter: {filter}]  </Text> : null}
      <Text dimColor>{hints.join('  ').slice(0, width)}</Text>
    </Text>
  );
}
