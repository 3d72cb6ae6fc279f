// pruner: none, or the median pruner with its warm-up and minimum number of trials.
import { z } from 'zod';
import type { Checker } from '../checker.js';
import { DEFAULTS } from '../defaults.js';
import { dropNulls, isPlainMap, wholeNumber } from '../schema.js';
import type { PrunerConfig } from '../types.js';
import { closest } from '../words.js';

export function checkPruner(c: Checker, value: unknown): PrunerConfig | undefined {
  if (value === undefined || value === null) return { type: 'none' };
  const types = ['none', 'median'];
  const obj = typeof value === 'string' ? { type: value } : value;
  const typePath = typeof value === 'string' ? ['pruner'] : ['pruner', 'type'];
  if (!isPlainMap(obj)) {
    c.expect(['pruner'], 'expected none, median, or a map like { type: median, warmup_steps: 5, min_trials: 4 }');
    return undefined;
  }
  const type = obj.type;
  if (typeof type !== 'string' || !types.includes(type)) {
    const guess = typeof type === 'string' ? closest(type, types) : undefined;
    c.expect(typePath, 'expected none or median', guess ? `Did you mean \`${guess}\`?` : undefined);
    return undefined;
  }
  if (type === 'none') {
    return c.parse(z.strictObject({ type: z.literal('none') }), dropNulls(obj), ['pruner']) ? { type: 'none' } : undefined;
  }
  const schema = z.strictObject({
    type: z.literal('median'),
    warmup_steps: wholeNumber(0).default(DEFAULTS.pruner.warmup_steps),
    min_trials: wholeNumber(1).default(DEFAULTS.pruner.min_trials),
    interval_steps: wholeNumber(1).default(DEFAULTS.pruner.interval_steps),
  });
  const r = c.parse(schema, dropNulls(obj), ['pruner']);
  if (!r) return undefined;
  return { type: 'median', warmup_steps: r.warmup_steps, min_trials: r.min_trials, interval_steps: r.interval_steps };
}
