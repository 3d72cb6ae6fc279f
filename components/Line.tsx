// Renders one line of toned runs (what the pure formatters return).
import React, { memo } from 'react';
import { Text } from 'ink';
import type { Run } from './format/cells.js';
import { styleOf } from './theme.js';

export const Line = memo(function Line({ runs }: { runs: Run[] }) {
  return (
    <Text wrap="truncate-end">
      {runs.map((r, i) => (
        <Text key={i} {...styleOf(r.tone)}>
          {r.text}
        </Text>
      ))}
    </Text>
  );
});
