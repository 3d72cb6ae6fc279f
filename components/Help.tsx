// The help overlay, generated from the key map.
import React from 'react';
import { Box, Text } from 'ink';
import { CATEGORY_TITLES, KEYMAP, type Category } from './keymap.js';

export function Help({ width }: { width: number }) {
  const categories: Category[] = ['steer', 'view', 'navigate'];
  const keyW = Math.max(...KEYMAP.map((b) => b.keys.join(' ').length)) + 2;
  return (
    <Box flexDirection="column" width={width}>
      <Text bold>Keys (Esc to close)</Text>
      {categories.map((c) => (
        <Box key={c} flexDirection="column" marginTop={1}>
          <Text bold underline>
            {CATEGORY_TITLES[c]}
          </Text>
          {KEYMAP.filter((b) => b.category === c).map((b) => (
            <Text key={b.id} wrap="truncate-end">
              <Text color="cyan">{b.keys.join(' ').padEnd(keyW)}</Text>
              {b.description}
              {b.danger ? <Text dimColor> (asks first)</Text> : null}
            </Text>
          ))}
        </Box>
      ))}
    </Box>
  );
}
