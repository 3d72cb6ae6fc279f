// evaluate: the command that scores a finished trial where its outputs are, and its timeout.
import { z } from 'zod';
import type { Checker } from '../checker.js';
import { DEFAULTS } from '../defaults.js';
import { dropNulls, duration, isPlainMap, text } from '../schema.js';
import type { CampaignConfig } from '../types.js';

export function checkEvaluate(c: Checker, value: unknown): CampaignConfig['evaluate'] | undefined {
  if (value === undefined || value === null) return undefined;
  const obj = typeof value === 'string' ? { command: value } : value;
  if (!isPlainMap(obj)) {
    c.expect(['evaluate'], 'expected the evaluator command as text, or a map like { command: python3 evaluate.py, timeout: 5m }');
    return undefined;
  }
  const schema = z.strictObject({
    command: text('the evaluator command as text, e.g. python3 evaluate.py'),
    timeout: duration(true).optional(),
  });
  const r = c.parse(schema, dropNulls(obj), ['evaluate']);
  if (!r) return undefined;
  if (r.command.trim() === '') {
    c.expect(typeof value === 'string' ? ['evaluate'] : ['evaluate', 'command'], 'expected the evaluator command, e.g. python3 evaluate.py');
    return undefined;
  }
  return { command: r.command, timeout_ms: r.timeout ?? DEFAULTS.evaluate_timeout_ms };
}
