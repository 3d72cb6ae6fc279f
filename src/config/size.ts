// Sizes in the campaign file (`max_log: 200MB`): a whole number of bytes, or a number with a unit.
// K, M and G are powers of 1024 whichever way they are written (KB, KiB, k), as `du -h` and `ls -h` show them.

const UNIT: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Parses `200MB`, `1.5G`, `512KiB`, `65536` (bytes) to whole bytes; null when it is not a size. */
export function parseSize(input: unknown): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : null;
  if (typeof input !== 'string') return null;
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(?:([kmgt])(?:i?b)?|(b))?$/i.exec(input.trim());
  if (!m) return null;
  const bytes = Number(m[1]) * UNIT[(m[2] ?? m[3] ?? '').toLowerCase()];
  return Number.isSafeInteger(Math.round(bytes)) ? Math.round(bytes) : null;
}

/** "16g", "64m", "512k" when exact (as the campaign file would say it), else bytes. */
export function sizeLabel(bytes: number): string {
  for (const [unit, n] of [['t', 2 ** 40], ['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  }
  return `${bytes} bytes`;
}
