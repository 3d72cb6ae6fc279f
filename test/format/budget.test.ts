import { describe, expect, it } from 'vitest';
import { budgetLines, renderBar, type BudgetInput } from '../../src/format/budget.js';
import { formatClock, formatForecast } from '../../src/format/time.js';
import { cellWidth } from '../../src/format/text.js';

describe('renderBar', () => {
  it.each([
    [0, 10, '          ', '----------'],
    [0.5, 10, '█████     ', '#####-----'],
    [1, 10, '██████████', '##########'],
    [1.2, 10, '██████████', '##########'],
    [-0.3, 10, '          ', '----------'],
    [NaN, 10, '          ', '----------'],
    [0.33, 10, '███▎      ', '###-------'],
    [1 / 80, 10, '▏         ', '----------'],
    [0.999, 10, '██████████', '##########'],
    [0.5, 0, '', ''],
    [0.5, 1, '▌', '#'],
  ])('%d in %i cells', (f, w, unicode, ascii) => {
    expect(renderBar(f, w)).toBe(unicode);
    expect(renderBar(f, w, true)).toBe(ascii);
    expect(cellWidth(renderBar(f, w))).toBe(w);
    expect(renderBar(f, w, true)).toHaveLength(w);
  });

  it('is exactly width cells at every eighth', () => {
    for (let i = 0; i <= 80; i++) expect(cellWidth(renderBar(i / 80, 10))).toBe(10);
  });
});

describe('formatForecast', () => {
  it.each([
    [null, '—'],
    [NaN, '—'],
    [0, 'done'],
    [-5, 'done'],
    [400, '~1s left'],
    [45_000, '~45s left'],
    [59_600, '~1m left'],
    [23 * 60_000, '~23m left'],
    [59 * 60_000 + 40_000, '~1h00m left'],
    [65 * 60_000, '~1h05m left'],
    [50 * 3_600_000, '~2d02h left'],
    [200 * 86_400_000, '>99d left'],
  ])('%s ms → %s', (ms, want) => expect(formatForecast(ms)).toBe(want));
  it('ASCII dash', () => expect(formatForecast(null, true)).toBe('-'));
});

describe('formatClock', () => {
  it.each([
    [0, '0:00:00'],
    [843_999, '0:14:03'],
    [7_200_000, '2:00:00'],
    [100 * 3_600_000, '100:00:00'],
  ])('%i ms', (ms, want) => expect(formatClock(ms)).toBe(want));
});

describe('budgetLines', () => {
  const MIN = 60_000;
  const cases: Array<[string, BudgetInput, Array<[string, string, string | null, string, number]>]> = [
    [
      'every limit, 14 minutes in',
      {
        trials: { used: 12, total: 40 },
        wallMs: { used: 843_000, total: 7_200_000 },
        usd: { used: 3.1, total: 20 },
        gpuHours: { used: 1.2, total: 8 },
        patience: { since: 4, total: 15 },
        elapsedMs: 843_000,
        finishedTrials: 10,
      },
      [
        ['trials', '12/40 trials', '~39m left', 'normal', 0.3],
        ['wall', '0:14:03/2:00:00', '~1h46m left', 'normal', 843_000 / 7_200_000],
        ['cost', '$3.10/$20', '~1h17m left', 'normal', 3.1 / 20],
        ['GPU', '1.2/8 GPU-h', '~1h20m left', 'normal', 0.15],
        ['patience', 'patience 4/15', '~15m left', 'normal', 4 / 15],
      ],
    ],
    [
      'no rate yet',
      { trials: { used: 0, total: 40 }, usd: { used: 0, total: 20.5 }, patience: { since: 0, total: 5 }, elapsedMs: 0, finishedTrials: 0 },
      [
        ['trials', '0/40 trials', '—', 'normal', 0],
        ['cost', '$0.00/$20.50', '—', 'normal', 0],
        ['patience', 'patience 0/5', '—', 'normal', 0],
      ],
    ],
    [
      'warn at 80 %, bad and done at 100 %',
      { trials: { used: 32, total: 40 }, wallMs: { used: 130 * MIN, total: 120 * MIN }, gpuHours: { used: 8, total: 8 }, elapsedMs: 130 * MIN, finishedTrials: 30 },
      [
        ['trials', '32/40 trials', '~35m left', 'warn', 0.8],
        ['wall', '2:10:00/2:00:00', 'done', 'bad', 130 / 120],
        ['GPU', '8/8 GPU-h', 'done', 'bad', 1],
      ],
    ],
    [
      'unlimited or absent limits are left out',
      { trials: { used: 3, total: Infinity }, elapsedMs: 1000, finishedTrials: 3 },
      [],
    ],
    [
      'a zero limit is spent',
      { trials: { used: 0, total: 0 }, usd: { used: 1234.5, total: 5000 }, elapsedMs: 1000, finishedTrials: 0 },
      [
        ['trials', '0/0 trials', 'done', 'bad', 1],
        ['cost', '$1235/$5000', '~3s left', 'normal', 1234.5 / 5000],
      ],
    ],
  ];
  it.each(cases)('%s', (_name, input, want) => {
    const got = budgetLines(input);
    expect(got.map((l) => [l.label, l.text, l.forecast, l.tone])).toEqual(want.map(([a, b, c, d]) => [a, b, c, d]));
    got.forEach((l, i) => expect(l.fraction).toBeCloseTo(want[i][4], 9));
  });

  it('keeps used and total for the caller', () => {
    const [l] = budgetLines({ patience: { since: 4, total: 15 }, elapsedMs: 1000, finishedTrials: 1 });
    expect([l.used, l.total]).toEqual([4, 15]);
  });
});
