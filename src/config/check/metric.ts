// metric: (the number to optimise), results: (the secondary columns of results.tsv), and whether every
// metric the campaign ranks by can be read from the trial's output at all.
import { z } from 'zod';
import type { Checker } from '../checker.js';
import { isMetricKey, isStepKey, patternProblem } from '../../metrics.js';
import { IDENT, dropNulls, goal, isPlainMap, text } from '../schema.js';
import type { CampaignConfig, DecideConfig } from '../types.js';
import type { Path } from '../words.js';

export function checkMetric(c: Checker, value: unknown): CampaignConfig['metric'] | undefined {
  const example = 'Write metric: { name: val_loss, goal: minimize } (or goal: maximize for accuracy-like metrics).';
  if (!c.required({ metric: value }, 'metric', 'expected a map naming the number to optimise and its direction', example)) return undefined;
  if (typeof value === 'string') {
    c.expect(['metric'], 'expected a map with the metric name and its goal', `Write metric: { name: ${IDENT.test(value) ? value : 'val_loss'}, goal: minimize } (or goal: maximize).`);
    return undefined;
  }
  const schema = z.strictObject(
    {
      name: text('the metric name as the trial prints it, e.g. val_loss'),
      goal,
      pattern: z.string({ error: 'expected a regular expression as text' }).optional(),
    },
    { error: 'expected a map like { name: val_loss, goal: minimize }' },
  );
  const m = c.parse(schema, dropNulls(value), ['metric']);
  if (!m) return undefined;
  if (m.pattern !== undefined) {
    const reason = patternProblem(m.pattern);
    if (reason) {
      c.expect(
        ['metric', 'pattern'],
        `expected a regular expression with exactly one capture group around the number (and optionally a named group (?<step>\\d+)), e.g. '${m.name}[=:]\\s*([-+0-9.eE]+)'`,
        `${reason} Fix it and run again.`,
      );
      return undefined;
    }
  }
  const out: CampaignConfig['metric'] = { name: m.name, goal: m.goal };
  if (m.pattern !== undefined) out.pattern = m.pattern;
  return out;
}

/** `results: { columns: [memory_gb] }`: the secondary metrics results.tsv shows after the primary. */
export function checkResults(c: Checker, value: unknown, primary: string | undefined): CampaignConfig['results'] | undefined {
  if (value === undefined || value === null) return { columns: [] };
  const example = 'e.g. results: { columns: [memory_gb] }';
  if (!isPlainMap(value)) {
    c.expect(['results'], `expected a map with the key columns, ${example}`);
    return undefined;
  }
  for (const k of Object.keys(value)) if (k !== 'columns') c.add(['results', k], `unknown key \`${k}\`; results takes only columns, ${example}. Remove it and run again.`, 'key');
  const list = value.columns ?? [];
  if (!Array.isArray(list)) {
    c.expect(['results', 'columns'], `expected a list of metric names, ${example}`);
    return undefined;
  }
  const columns: string[] = [];
  let ok = true;
  list.forEach((col, i) => {
    if (typeof col !== 'string' || !isMetricKey(col)) {
      c.expect(['results', 'columns', i], 'expected a metric name the trial prints, e.g. memory_gb');
      ok = false;
    } else if (col === primary) {
      c.expect(['results', 'columns', i], `expected a secondary metric; ${col} is metric.name, always the second column`, 'Remove it and run again.');
      ok = false;
    } else if (!columns.includes(col)) columns.push(col);
  });
  return ok ? { columns } : undefined;
}

/**
 * Checks that every metric the campaign ranks by can actually be read: the default reader only
 * knows `key=value` keys (not the step keys), and with metric.pattern the trial's output yields
 * only metric.name, so other metrics named under decide need the default reader or an evaluator.
 */
export function checkReadable(c: Checker, metric: CampaignConfig['metric'], decide: DecideConfig, hasEvaluator: boolean): void {
  const problem = (name: string): string | null => {
    if (isStepKey(name)) return `${name} is read as the step (the x-axis), never as a metric`;
    if (!isMetricKey(name)) return `${JSON.stringify(name)} cannot be read from output: metric keys are letters, digits and _ . / - (e.g. val_loss, train/loss), printed as ${'`'}key=value${'`'} or ${'`'}key: value${'`'}`;
    return null;
  };
  if (metric.pattern === undefined && !hasEvaluator) {
    const why = problem(metric.name);
    if (why) c.add(['metric', 'name'], `${why}. Use the name the trial prints, or add metric.pattern to read it with a regular expression.`);
  }
  const refs: Array<[Path, string]> = [];
  if (decide.mode === 'constraint') refs.push([['decide', 'metric'], decide.metric]);
  if (decide.mode === 'pareto') decide.objectives.forEach((o, i) => refs.push([['decide', 'objectives', i, 'name'], o.name]));
  if (decide.mode === 'weighted') for (const k of Object.keys(decide.weights)) refs.push([['decide', 'weights', k], k]);
  for (const [p, name] of refs) {
    if (name === metric.name && metric.pattern !== undefined) continue;
    const why = problem(name);
    if (why) {
      c.add(p, `${why}. Use a name the ${hasEvaluator ? 'evaluator' : 'trial'} prints as ${'`'}${name.replace(/\W+/g, '_')}=<number>${'`'}.`, p[0] === 'decide' && p[1] === 'weights' ? 'key' : 'value');
    } else if (metric.pattern !== undefined && !hasEvaluator && name !== metric.name) {
      c.add(
        p,
        `${name} would never be read: with metric.pattern set, only ${metric.name} is read from the trial's output. Remove metric.pattern (the default reader reads every key=value pair) or add an evaluate command that prints ${name}.`,
        p[0] === 'decide' && p[1] === 'weights' ? 'key' : 'value',
      );
    }
  }
}
