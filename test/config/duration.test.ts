import { describe, expect, it } from 'vitest';
import { formatDurationSpec, parseDuration } from '../../src/config/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['8h', 28_800_000],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['2d', 172_800_000],
    ['2d12h', 216_000_000],
    ['1.5h', 5_400_000],
    ['250ms', 250],
    ['1m30s500ms', 90_500],
    ['0s', 0],
    ['45', 45_000],
    [' 10s ', 10_000],
    [90, 90_000],
    [0.5, 500],
    [0, 0],
  ])('%j → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([
    ['2 hours'], ['5 min'], ['1h30'], ['30m1h'], ['1m1m'], ['5M'], ['-5s'], ['h'], [''], ['  '], ['1e3s'], ['forever'],
    [-1], [Number.NaN], [Number.POSITIVE_INFINITY], [null], [undefined], [true], [[5]], [{ s: 5 }],
  ])('rejects %j', (input) => {
    expect(parseDuration(input)).toBeNull();
  });
});

describe('formatDurationSpec', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [90_000, '1m30s'],
    [5_400_000, '1h30m'],
    [28_800_000, '8h'],
    [172_800_000, '2d'],
    [90_061_001, '1d1h1m1s1ms'],
    [-60_000, '-1m'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatDurationSpec(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [0, 1, 999, 1000, 61_001, 3_599_999, 86_400_000, 123_456_789]) {
      expect(parseDuration(formatDurationSpec(ms))).toBe(ms);
    }
  });
});
