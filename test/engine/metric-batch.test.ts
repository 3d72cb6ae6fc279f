import { describe, expect, it } from 'vitest';
import { MAX_CURVE_POINTS, MetricBatch } from '../../src/engine/metric-batch.js';

const pt = (name: string, step: number, value: number) => ({ name, step, value });

describe('MetricBatch', () => {
  it('keeps the primary curve point by point, one point per step, the latest value winning', () => {
    const b = new MetricBatch('loss');
    for (const [step, value] of [[1, 3], [2, 2], [2, 1.5], [3, 1]] as const) b.add(pt('loss', step, value));
    expect(b.size).toBe(3);
    expect(b.take()).toEqual({ loss: [[1, 3], [2, 1.5], [3, 1]] });
    expect(b.size).toBe(0);
    expect(b.take()).toEqual({});
  });

  it('keeps only the latest value of a secondary metric', () => {
    const b = new MetricBatch('loss');
    for (let i = 1; i <= 10; i++) b.add(pt('lr', i, i / 10));
    expect(b.take()).toEqual({ lr: [[10, 1]] });
  });

  it(`caps the primary curve at ${MAX_CURVE_POINTS} points, the newest replacing the last`, () => {
    const b = new MetricBatch('loss');
    for (let i = 1; i <= 10_000; i++) b.add(pt('loss', i, 1 / i));
    const got = b.take().loss!;
    expect(got).toHaveLength(MAX_CURVE_POINTS);
    expect(got.slice(0, 3)).toEqual([[1, 1], [2, 0.5], [3, 1 / 3]]);
    expect(got[got.length - 1]).toEqual([10_000, 1 / 10_000]);
  });
});
