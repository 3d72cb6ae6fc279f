import { describe, expect, it } from 'vitest';
import { MIN_CHART_HEIGHT, MIN_CHART_WIDTH, plotCurves, sparkline, type CurveSeries, type PlotOptions } from '../../src/format/curve.js';
import { cellWidth, lineText, type Run } from '../../src/format/text.js';

const text = (lines: Run[][]): string[] => lines.map(lineText);
const selected = (points: ReadonlyArray<readonly [number, number]>, label = '#3'): CurveSeries => ({ points, tone: 'selected', glyph: '●', label });
const THREE: ReadonlyArray<readonly [number, number]> = [[1, 0.9], [2, 0.5], [3, 0.4]];

describe('plotCurves: exact renderings', () => {
  const cases: Array<{ name: string; opts: PlotOptions; want: string[] }> = [
    {
      name: 'three points in 30x8',
      opts: { series: [selected(THREE)], width: 30, height: 8, goal: 'minimize' },
      want: [
        '  1┤                          ',
        '0.8┤●●●●●                     ',
        '   │    ●●●●●●                ',
        '0.6┤         ●●●●●●●●         ',
        '0.4┤                ●●●●●●●●●●',
        '   └┬────────────┬───────────┬',
        '    1            2           3',
        '● #3                  ↓ better',
      ],
    },
    {
      name: 'three points in 30x8, ASCII',
      opts: { series: [selected(THREE)], width: 30, height: 8, goal: 'minimize', ascii: true },
      want: [
        '  1+                          ',
        '0.8+*****                     ',
        '   |    ******                ',
        '0.6+         ********         ',
        '0.4+                **********',
        '   ++------------+-----------+',
        '    1            2           3',
        '* #3                  v better',
      ],
    },
    {
      name: 'one point: a band around its value, the x axis from 0',
      opts: { series: [selected([[5, 0.25]])], width: 30, height: 8, goal: 'maximize' },
      want: [
        '0.275┤                        ',
        '     │                        ',
        ' 0.25┤                       ●',
        '     │                        ',
        '0.225┤                        ',
        '     └┬────┬───┬────┬───┬────┬',
        '      0    1   2    3   4    5',
        '● #3                  ↑ better',
      ],
    },
    {
      name: 'all-equal values: a flat line mid-height',
      opts: { series: [selected([[0, 2], [10, 2], [20, 2]])], width: 30, height: 6, goal: 'minimize' },
      want: [
        '2.2┤                          ',
        '  2┤●●●●●●●●●●●●●●●●●●●●●●●●●●',
        '1.8┤                          ',
        '   └┬─────┬──────┬─────┬─────┬',
        '    0     5     10    15    20',
        '● #3                  ↓ better',
      ],
    },
    {
      name: 'NaN and infinities skipped; the threshold dashed under the series; legend cut before the goal marker',
      opts: {
        series: [selected([[0, 1], [1, NaN], [2, Infinity], [3, 0.5], [NaN, 3], [4, -Infinity]])],
        width: 30,
        height: 6,
        goal: 'minimize',
        threshold: 0.7,
      },
      want: [
        '   1┤●●●●●●●                  ',
        '0.75┤╌╌╌╌╌╌●●●●●●●●●●●●●╌╌╌╌╌╌',
        ' 0.5┤                  ●●●●●●●',
        '    └┬───────┬───────┬───────┬',
        '     0       1       2       3',
        '● #3  ╌╌ prune thres… ↓ better',
      ],
    },
    {
      name: 'huge step range: compact x labels; height 5 has no legend line',
      opts: { series: [selected([[0, 1], [1e9, 0.5], [2e9, 0.2]])], width: 30, height: 5, goal: 'minimize' },
      want: [
        '  1┤●●●●●●●                   ',
        '0.5┤      ●●●●●●●●●●●●●●●●●●  ',
        '  0┤                       ●●●',
        '   └┬─────┬──────┬─────┬─────┬',
        '    0   500M    1G   1.5G   2G',
      ],
    },
    {
      name: 'a steep segment between adjacent columns is filled vertically',
      opts: { series: [selected([[0, 0], [1, 10]])], width: 24, height: 10, goal: 'minimize' },
      want: [
        '10┤                  ●●●',
        '  │               ●●●●  ',
        '  │            ●●●●     ',
        ' 5┤        ●●●●●        ',
        '  │     ●●●●            ',
        '  │  ●●●●               ',
        ' 0┤●●●                  ',
        '  └┬───────────────────┬',
        '   0                   1',
        '● #3            ↓ better',
      ],
    },
    {
      name: 'no data: a centred message, same height',
      opts: { series: [selected([])], width: 30, height: 5, goal: 'minimize' },
      want: [
        '                              ',
        '                              ',
        '         no data yet          ',
        '                              ',
        '                              ',
      ],
    },
    {
      name: 'narrower than the minimum: a sparkline, then the legend',
      opts: { series: [selected([[0, 1], [1, 3], [2, 2], [3, 5]])], width: 15, height: 3, goal: 'minimize' },
      want: ['▁▅▃█           ', '● #3   ↓ better', '               '],
    },
    {
      name: 'log y over decades: ticks at powers of ten',
      opts: { series: [selected([[0, 1], [1, 0.1], [2, 0.01], [3, 0.001]])], width: 30, height: 7, goal: 'minimize', logY: true },
      want: [
        '    1┤●●●●●                   ',
        '  0.1┤    ●●●●●●●●            ',
        ' 0.01┤           ●●●●●●●●●    ',
        '0.001┤                   ●●●●●',
        '     └┬───────┬──────┬───────┬',
        '      0       1      2       3',
        '● #3           log y  ↓ better',
      ],
    },
  ];

  it.each(cases)('$name', ({ opts, want }) => {
    const got = text(plotCurves(opts));
    expect(got).toEqual(want);
  });
});

describe('plotCurves: draw order and tones', () => {
  it('draws later series on top and merges cells into runs of one tone', () => {
    const opts: PlotOptions = {
      series: [
        { points: [[0, 1], [10, 1]], tone: 'median', glyph: '·', label: 'median' },
        { points: [[0, 1], [5, 1]], tone: 'selected', glyph: '●', label: '#12' },
      ],
      width: 24,
      height: 6,
      goal: 'minimize',
    };
    const lines = plotCurves(opts);
    const row = lines.find((l) => lineText(l).includes('●'))!;
    expect(row.map((r) => [r.text, r.tone])).toEqual([
      ['  1┤', 'axis'],
      ['●●●●●●●●●●●', 'selected'],
      ['·········', 'median'],
    ]);
    expect(lineText(lines[lines.length - 1])).toBe('· median  ● #12 ↓ better');
  });

  it('maps series glyphs to ASCII and honours an explicit asciiGlyph', () => {
    const lines = plotCurves({
      series: [
        { points: [[0, 1], [1, 2]], tone: 'median', glyph: '·', label: 'median' },
        { points: [[0, 2], [1, 1]], tone: 'incumbent', glyph: '◆', label: 'best', asciiGlyph: '@' },
      ],
      width: 30,
      height: 6,
      goal: 'maximize',
      ascii: true,
    });
    const all = text(lines).join('\n');
    expect(all).toMatch(/^[\x20-\x7e\n]*$/);
    expect(text(lines)[5]).toBe('. median  @ best      ^ better');
  });
});

describe('plotCurves: every line exactly width cells, exactly height lines', () => {
  const ramp = Array.from({ length: 50 }, (_, i) => [i, Math.exp(-i / 10)] as const);
  const scenarios: Array<[string, Partial<PlotOptions>]> = [
    ['empty', { series: [] }],
    ['no finite points', { series: [selected([[0, NaN], [Infinity, 1]])] }],
    ['one point', { series: [selected([[3, 0.5]])] }],
    ['ramp with threshold', { series: [selected(ramp)], threshold: 0.3 }],
    ['ramp, log y, ascii', { series: [selected(ramp)], logY: true, ascii: true }],
    ['log y with only non-positive values', { series: [selected([[0, 0], [1, -1]])], logY: true }],
    ['negative steps and values', { series: [selected([[-100, -5], [-50, -1e-4], [0, 3]])] }],
    ['threshold far outside the data', { series: [selected(ramp)], threshold: 1e6 }],
    ['long labels', { series: [selected(ramp, 'a very long label indeed'), selected(ramp, 'another one')], threshold: 0.5 }],
  ];
  const sizes: Array<[number, number]> = [
    [0, 3], [1, 1], [5, 2], [MIN_CHART_WIDTH - 1, 10], [MIN_CHART_WIDTH, MIN_CHART_HEIGHT - 1],
    [MIN_CHART_WIDTH, MIN_CHART_HEIGHT], [20, 5], [30, 6], [80, 20], [137, 33],
  ];
  for (const [name, partial] of scenarios) {
    it.each(sizes)(`${name} at %ix%i`, (width, height) => {
      const lines = plotCurves({ series: [], goal: 'minimize', ...partial, width, height });
      expect(lines).toHaveLength(height);
      for (const l of lines) expect(cellWidth(lineText(l))).toBe(width);
    });
  }

  it('returns no lines for height 0', () => {
    expect(plotCurves({ series: [selected(ramp)], width: 30, height: 0, goal: 'minimize' })).toEqual([]);
  });
});

describe('plotCurves: cost', () => {
  it('plots 100,000 points into 100x20 (bucketed per column, independent of input order)', () => {
    const n = 100_000;
    const points: Array<[number, number]> = Array.from({ length: n }, (_, i) => [i, Math.sin(i / 5000) + (i % 7) / 100]);
    const sorted = plotCurves({ series: [selected(points)], width: 100, height: 20, goal: 'minimize' });
    expect(sorted).toHaveLength(20);
    for (const l of sorted) expect(cellWidth(lineText(l))).toBe(100);
    // Reversed input: same picture, because points are bucketed by step, not joined in input order
    // (joining in input order could cost points x width for a shuffled series).
    const reversed = plotCurves({ series: [selected([...points].reverse())], width: 100, height: 20, goal: 'minimize' });
    expect(text(reversed)).toEqual(text(sorted));
  });
});

describe('sparkline', () => {
  const cases: Array<[string, number[], number, boolean, string]> = [
    ['a ramp', [1, 2, 3, 4, 5, 6, 7, 8], 8, false, '▁▂▃▄▅▆▇█'],
    ['padded to width', [1, 2, 3], 5, false, '▁▅█  '],
    ['NaN is a gap', [1, NaN, 3], 3, false, '▁ █'],
    ['all equal sits mid-height', [2, 2, 2], 3, false, '▄▄▄'],
    ['ASCII', [1, 2, 3, 4, 5], 5, true, '_.-=^'],
    ['bucketed by mean when longer than width', [0, 0, 10, 10], 2, false, '▁█'],
    ['empty', [], 4, false, '    '],
    ['zero width', [1, 2], 0, false, ''],
  ];
  it.each(cases)('%s', (_name, values, width, ascii, want) => {
    expect(sparkline(values, width, ascii)).toBe(want);
    expect(cellWidth(sparkline(values, width, ascii))).toBe(width);
  });
});
