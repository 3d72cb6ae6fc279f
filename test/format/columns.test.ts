import { describe, expect, it } from 'vitest';
import { layoutColumns, type ColumnSpec } from '../../src/format/columns.js';
import { TRIAL_COLUMNS } from '../../components/trial-columns.js';

const show = (cols: ReadonlyArray<ColumnSpec>, width: number, gap?: number): string =>
  layoutColumns(cols, width, gap)
    .map((c) => `${c.key}:${c.width}`)
    .join(' ');

const used = (cols: ReadonlyArray<ColumnSpec>, width: number, gap = 1): number => {
  const l = layoutColumns(cols, width, gap);
  return l.reduce((a, c) => a + c.width, 0) + gap * Math.max(0, l.length - 1);
};

describe('layoutColumns: the trial table', () => {
  it.each([
    [40, 'id:5 status:9 score:8 delta:8'],
    [60, 'id:5 status:9 score:8 delta:8 description:26'],
    [80, 'id:5 status:9 step:5 latest:8 score:8 delta:8 time:6 description:24'],
    [100, 'id:5 status:9 proposer:8 host:8 step:5 latest:8 score:8 delta:8 time:6 description:26'],
    [140, 'id:5 status:9 proposer:8 host:8 step:5 latest:8 score:8 delta:8 time:6 description:66'],
  ])('at %i columns', (width, want) => {
    expect(show(TRIAL_COLUMNS, width)).toBe(want);
    expect(used(TRIAL_COLUMNS, width)).toBeLessThanOrEqual(width);
  });

  it('shows id, status, metric, delta and description at 80 columns', () => {
    const keys = layoutColumns(TRIAL_COLUMNS, 80).map((c) => c.key);
    for (const k of ['id', 'status', 'score', 'delta', 'description']) expect(keys).toContain(k);
  });

  it('fills the width exactly whenever a growing column is kept', () => {
    for (let w = 60; w <= 240; w++) expect(used(TRIAL_COLUMNS, w)).toBe(w);
  });
});

describe('layoutColumns: rules', () => {
  const a = (over: Partial<ColumnSpec> & { key: string }): ColumnSpec => ({ min: 5, priority: 1, ...over });
  const cases: Array<[string, ColumnSpec[], number, number | undefined, string]> = [
    ['everything fits, no growth', [a({ key: 'a' }), a({ key: 'b' })], 20, undefined, 'a:5 b:5'],
    ['drops the lowest priority first, keeps order', [a({ key: 'a', priority: 3 }), a({ key: 'b', priority: 1 }), a({ key: 'c', priority: 2 })], 11, undefined, 'a:5 c:5'],
    ['equal priority: the narrower drops first', [a({ key: 'a', min: 8 }), a({ key: 'b', min: 4 }), a({ key: 'c', min: 6 })], 15, undefined, 'a:8 c:6'],
    ['equal priority and width: the rightmost drops first', [a({ key: 'a' }), a({ key: 'b' }), a({ key: 'c' })], 11, undefined, 'a:5 b:5'],
    ['grow in proportion', [a({ key: 'a', grow: 1 }), a({ key: 'b', grow: 3 })], 31, undefined, 'a:10 b:20'],
    ['grow capped at max, the rest to others', [a({ key: 'a', grow: 1, max: 7 }), a({ key: 'b', grow: 1 })], 31, undefined, 'a:7 b:23'],
    ['rounding leftovers go left to right', [a({ key: 'a', grow: 1 }), a({ key: 'b', grow: 1 }), a({ key: 'c', grow: 1 })], 19, undefined, 'a:6 b:6 c:5'],
    ['all capped: spare stays unused', [a({ key: 'a', grow: 1, max: 6 }), a({ key: 'b', max: 9 })], 40, undefined, 'a:6 b:5'],
    ['wider gaps', [a({ key: 'a' }), a({ key: 'b', priority: 0 })], 13, 3, 'a:5 b:5'],
    ['wider gaps drop more', [a({ key: 'a' }), a({ key: 'b', priority: 0 })], 13, 4, 'a:5'],
    ['the last column is cut to the width', [a({ key: 'a', min: 30, priority: 2 }), a({ key: 'b' })], 12, undefined, 'a:12'],
    ['zero width', [a({ key: 'a' })], 0, undefined, 'a:0'],
    ['no columns', [], 80, undefined, ''],
  ];
  it.each(cases)('%s', (_name, cols, width, gap, want) => {
    expect(show(cols, width, gap)).toBe(want);
    // Deterministic: the same input, the same output.
    expect(show(cols, width, gap)).toBe(show(cols.map((c) => ({ ...c })), width, gap));
  });
});

describe('the host column', () => {
  it('cuts a long host name, never the slot after it', async () => {
    const { hostCell } = await import('../../components/trial-columns.js');
    expect(hostCell('testhost:1', 8)).toBe('testh…:1');
    expect(hostCell('testhost:1', 8)).toHaveLength(8);
    expect(hostCell('gpu2:0', 8)).toBe('gpu2:0');
    expect(hostCell('a-very-long-host-name:12', 14)).toBe('a-very-lon…:12');
    expect(hostCell('local', 3)).toBe('local');
  });
});
