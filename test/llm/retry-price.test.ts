// The pure pieces of the model client: how long to wait before a retry, and what a call costs.
import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_RETRY, estimateTokens, priceCall, retryAfterMs } from '../../src/llm.js';
import { waitMs } from '../../src/llm/retry.js';

const h = (o: Record<string, string>) => new Headers(o);

describe('retry-after', () => {
  it('reads seconds, an HTTP date and retry-after-ms; ignores garbage', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(h({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(h({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(retryAfterMs(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).toBe(7000);
    expect(retryAfterMs(h({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(h({ 'retry-after-ms': '250' }), now)).toBe(250);
    expect(retryAfterMs(h({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(h({}), now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });

  it('caps a huge retry-after, and falls back to jittered exponential backoff without one', () => {
    const policy = { ...DEFAULT_RETRY, base_ms: 100, max_ms: 1000, max_retry_after_ms: 5000 };
    expect(waitMs(policy, 1, h({ 'retry-after': '86400' }))).toBe(5000);
    expect(backoffMs(policy, 1, () => 0)).toBe(50);
    expect(backoffMs(policy, 1, () => 1)).toBe(100);
    expect(backoffMs(policy, 3, () => 1)).toBe(400);
    expect(backoffMs(policy, 10, () => 1)).toBe(1000);
    expect(backoffMs(policy, 10, () => 0)).toBe(500);
  });
});

describe('price', () => {
  const price = { input_per_mtok: 0.4, output_per_mtok: 1.6 };
  it('uses reported usage when there is one', () => {
    expect(priceCall(price, [{ role: 'user', content: 'hi' }], 'reply', { prompt_tokens: 1_000_000, completion_tokens: 1_000_000 })).toEqual({
      tokens_in: 1_000_000,
      tokens_out: 1_000_000,
      usd: 2,
      estimated: false,
    });
  });
  it('estimates from text length when usage is missing or partial, never free', () => {
    for (const reported of [undefined, null, { prompt_tokens: 5 }]) {
      const u = priceCall(price, [{ role: 'user', content: 'x'.repeat(40) }], 'y'.repeat(8), reported);
      expect(u.estimated).toBe(true);
      expect(u.tokens_out).toBe(2);
      expect(u.tokens_in).toBe(estimateTokens('user: ' + 'x'.repeat(40)));
      expect(u.usd).toBeGreaterThan(0);
    }
    expect(estimateTokens('abc')).toBe(1);
    expect(estimateTokens('')).toBe(0);
  });
});
