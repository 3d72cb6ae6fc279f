// decide: how finished trials are ranked (single metric, constraint, pareto, weighted sum).
import { z } from 'zod';
import type { Goal } from '../../types.js';
import type { Checker } from '../checker.js';
import { dropNulls, goal, isPlainMap, number, text } from '../schema.js';
import type { DecideConfig } from '../types.js';
import { closest, listWords } from '../words.js';

export function checkDecide(c: Checker, value: unknown): DecideConfig | undefined {
  if (value === undefined || value === null) return { mode: 'single' };
  const modes = ['single', 'constraint', 'pareto', 'weighted'];
  const examples: Record<string, string> = {
    constraint: 'decide: { mode: constraint, metric: gpu_mem_gb, max: 20 }',
    pareto: 'decide: { mode: pareto, objectives: [{ name: val_loss, goal: minimize }, { name: latency_ms, goal: minimize }] }',
    weighted: 'decide: { mode: weighted, weights: { val_loss: 1.0, latency_ms: 0.01 } }',
  };
  const obj = typeof value === 'string' ? { mode: value } : value;
  const modePath = typeof value === 'string' ? ['decide'] : ['decide', 'mode'];
  if (!isPlainMap(obj)) {
    c.expect(['decide'], 'expected a map like { mode: single }');
    return undefined;
  }
  const mode = obj.mode;
  if (mode === undefined || mode === null) {
    c.expect(['decide', 'mode'], `expected ${listWords(modes)}`);
    return undefined;
  }
  if (typeof mode !== 'string' || !modes.includes(mode)) {
    const guess = typeof mode === 'string' ? closest(mode, modes) : undefined;
    c.expect(modePath, `expected ${listWords(modes)}`, guess ? `Did you mean \`${guess}\`?` : undefined);
    return undefined;
  }
  if (typeof value === 'string' && mode !== 'single') {
    c.add(['decide'], `mode ${mode} needs more settings than a bare word; write ${examples[mode]}. See docs/campaign-file.md (decide).`);
    return undefined;
  }
  const d = dropNulls(obj);
  switch (mode) {
    case 'single':
      return c.parse(z.strictObject({ mode: z.literal('single') }), d, ['decide']) ? { mode: 'single' } : undefined;
    case 'constraint': {
      const schema = z.strictObject({
        mode: z.literal('constraint'),
        metric: text('the name of the metric to constrain, e.g. gpu_mem_gb'),
        min: number().optional(),
        max: number().optional(),
      });
      const r = c.parse(schema, d, ['decide']);
      if (!r) return undefined;
      if (r.min === undefined && r.max === undefined) {
        c.add(['decide'], `mode constraint needs min, max or both (a trial whose ${r.metric} falls outside them is discarded). Write e.g. ${examples.constraint}.`);
        return undefined;
      }
      if (r.min !== undefined && r.max !== undefined && r.min > r.max) {
        c.expect(['decide', 'max'], `expected a number ≥ min (${r.min})`, 'No trial could pass; swap min and max.');
        return undefined;
      }
      const out: DecideConfig = { mode: 'constraint', metric: r.metric };
      if (r.min !== undefined) out.min = r.min;
      if (r.max !== undefined) out.max = r.max;
      return out;
    }
    case 'pareto': {
      const schema = z.strictObject({
        mode: z.literal('pareto'),
        objectives: z
          .array(z.strictObject({ name: text('the metric name'), goal }, { error: 'expected a map like { name: val_loss, goal: minimize }' }), {
            error: `expected a list of at least two objectives, e.g. ${examples.pareto.replace('decide: ', '')}`,
          })
          .min(2, { error: 'expected at least two objectives (with one, use mode: single)' }),
      });
      const r = c.parse(schema, d, ['decide']);
      if (!r) return undefined;
      const seen = new Set<string>();
      for (const [i, o] of r.objectives.entries()) {
        if (seen.has(o.name)) {
          c.expect(['decide', 'objectives', i, 'name'], 'expected each objective once', 'Remove the repeated objective.');
          return undefined;
        }
        seen.add(o.name);
      }
      return { mode: 'pareto', objectives: r.objectives.map((o) => ({ name: o.name, goal: o.goal as Goal })) };
    }
    case 'weighted': {
      const schema = z.strictObject({
        mode: z.literal('weighted'),
        weights: z.record(z.string(), number('a number (the weight of that metric in the sum)'), {
          error: `expected a map of metric names to numbers, e.g. ${examples.weighted.replace('decide: { mode: weighted, weights: ', '').replace(/ }$/, '')}`,
        }),
      });
      const r = c.parse(schema, d, ['decide']);
      if (!r) return undefined;
      if (Object.keys(r.weights).length === 0) {
        c.expect(['decide', 'weights'], 'expected at least one metric: weight pair', `Write e.g. ${examples.weighted}.`);
        return undefined;
      }
      return { mode: 'weighted', weights: r.weights };
    }
  }
  return undefined;
}
