// Tones to terminal styles. NO_COLOR (https://no-color.org) turns colour off; emphasis stays.
import type { Tone } from '../src/format/text.js';

export interface Style {
  color?: string;
  dimColor?: boolean;
  bold?: boolean;
  inverse?: boolean;
}

const COLORS: Record<Tone, Style> = {
  normal: {},
  dim: { dimColor: true },
  accent: { color: 'cyan' },
  good: { color: 'green' },
  bad: { color: 'red' },
  warn: { color: 'yellow' },
  selected: { color: 'magentaBright', bold: true },
  incumbent: { color: 'green' },
  median: { color: 'blue' },
  threshold: { color: 'yellow' },
  axis: { dimColor: true },
  add: { color: 'green' },
  del: { color: 'red' },
  hunk: { color: 'cyan' },
  file: { bold: true },
};

export const noColor = (): boolean => 'NO_COLOR' in process.env && process.env.NO_COLOR !== '';

export function styleOf(tone: Tone): Style {
  const s = COLORS[tone] ?? {};
  if (!noColor()) return s;
  const { color: _color, ...rest } = s;
  return rest;
}
