// When to try a model call again and how long to wait: 429, 5xx and dropped connections are worth a
// retry; everything else (a wrong key, a wrong model) will fail the same way again.

export interface RetryPolicy {
  /** Total attempts including the first. */
  attempts: number;
  base_ms: number;
  max_ms: number;
  /** Cap on a server's retry-after, so a hostile or confused server cannot park a slot for hours. */
  max_retry_after_ms: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, base_ms: 1000, max_ms: 30_000, max_retry_after_ms: 120_000 };

/** `retry-after` as seconds or an HTTP date (also the non-standard `retry-after-ms`); undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const v = headers.get('retry-after');
  if (v === null || v.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.max(0, Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Full-jitter exponential backoff (attempt counts from 1): spreads retries of parallel proposers apart. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.max_ms, policy.base_ms * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function waitMs(policy: RetryPolicy, attempt: number, headers: Headers | undefined, random?: () => number): number {
  const ra = retryAfterMs(headers);
  if (ra !== undefined) return Math.min(ra, policy.max_retry_after_ms);
  return backoffMs(policy, attempt, random);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
