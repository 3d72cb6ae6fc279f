// space: the parameters to search, one range or list of choices each.
import { z } from 'zod';
import type { ParamSpec, Space } from '../../types.js';
import type { Checker } from '../checker.js';
import { IDENT, dropNulls, isPlainMap, number } from '../schema.js';
import { TYPE_ALIASES, closest, describeValue, safeJson } from '../words.js';

export function checkSpace(c: Checker, value: unknown): Space | undefined {
  const example = 'e.g. lr: { type: float, low: 1.0e-4, high: 1.0e-1, log: true }';
  if (!c.required({ space: value }, 'space', `expected a map of the parameters to search, ${example}`)) return undefined;
  if (!isPlainMap(value)) {
    c.expect(['space'], `expected a map of parameter names to their ranges, ${example}`);
    return undefined;
  }
  const names = Object.keys(value);
  if (names.length === 0) {
    c.expect(['space'], `expected at least one parameter, ${example}`);
    return undefined;
  }
  const space: Space = {};
  let ok = true;
  for (const name of names) {
    if (!IDENT.test(name)) {
      const fix = name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(?=[0-9])/, '_');
      c.add(
        ['space', name],
        `parameter names must be identifiers (letters, digits and _, not starting with a digit) because they are used as {name} placeholders and in params.json. Rename it, e.g. ${fix}.`,
        'key',
      );
      ok = false;
      continue;
    }
    const spec = checkParam(c, name, value[name]);
    if (spec) space[name] = spec;
    else ok = false;
  }
  return ok ? space : undefined;
}

function checkParam(c: Checker, name: string, value: unknown): ParamSpec | undefined {
  const p = ['space', name];
  const forms = '{ type: float, low: 0.0001, high: 0.1, log: true }, { type: int, low: 16, high: 256 } or { type: categorical, choices: [relu, gelu] }';
  if (!isPlainMap(value)) {
    const hint = Array.isArray(value)
      ? `For a list of values write ${name}: { type: categorical, choices: ${safeJson(value) ?? '[...]'} }.`
      : `To fix a value rather than search it, leave it out of space and write it into command.`;
    c.expect(p, `expected a map such as ${forms}`, hint);
    return undefined;
  }
  const v = dropNulls(value) as Record<string, unknown>;
  const types = ['float', 'int', 'categorical'];
  if (v.type === undefined) {
    c.expect([...p, 'type'], `expected type: float, int or categorical`);
    return undefined;
  }
  if (typeof v.type !== 'string' || !types.includes(v.type)) {
    const guess = typeof v.type === 'string' ? (TYPE_ALIASES[v.type.toLowerCase()] ?? closest(v.type, types)) : undefined;
    c.expect([...p, 'type'], 'expected float, int or categorical', guess ? `Did you mean \`${guess}\`?` : undefined);
    return undefined;
  }
  if (v.type === 'categorical') {
    const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a text, number or true/false choice' });
    const schema = z.strictObject({
      type: z.literal('categorical'),
      choices: z.array(scalar, { error: 'expected a list of choices, e.g. [relu, gelu, tanh]' }).min(1, { error: 'expected a non-empty list of choices' }),
    });
    const parsed = c.parse(schema, v, p);
    if (!parsed) return undefined;
    const seen = new Map<string, number>();
    for (const [i, choice] of parsed.choices.entries()) {
      const key = `${typeof choice}:${String(choice)}`;
      const first = seen.get(key);
      if (first !== undefined) {
        c.expect([...p, 'choices', i], 'expected distinct choices', `${describeValue(choice)} is already choices[${first}]; remove the repeat.`);
        return undefined;
      }
      seen.set(key, i);
    }
    return { type: 'categorical', choices: parsed.choices };
  }

  const isInt = v.type === 'int';
  const bound = isInt
    ? z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' })
    : number('a number');
  const schema = z.strictObject({
    type: z.enum(['float', 'int']),
    low: bound,
    high: bound,
    log: z.boolean({ error: 'expected true or false' }).optional(),
    step: (isInt ? z.number({ error: 'expected a whole number ≥ 1' }).int({ error: 'expected a whole number ≥ 1' }).min(1, { error: 'expected a whole number ≥ 1' }) : z.number({ error: 'expected a number > 0' }).gt(0, { error: 'expected a number > 0' })).optional(),
  });
  const r = c.parse(schema, v, p);
  if (!r) return undefined;
  if (!(r.low < r.high)) {
    c.expect(
      [...p, 'high'],
      `expected a number greater than low (${r.low})`,
      r.low === r.high
        ? `A range needs low < high; to fix ${name} at one value, leave it out of space and write it into command.`
        : 'A range needs low < high; swap them.',
    );
    return undefined;
  }
  if (r.log && r.low <= 0) {
    c.expect([...p, 'low'], 'expected a number > 0 because log: true (a log scale cannot reach 0 or negative values)', `Raise low (e.g. ${isInt ? 1 : '1.0e-6'}) or drop log: true.`);
    return undefined;
  }
  if (r.log && r.step !== undefined) {
    c.add([...p, 'step'], 'step cannot be combined with log: true (steps are even in linear space, log spacing is not). Remove one of them and run again.', 'key');
    return undefined;
  }
  const spec: Extract<ParamSpec, { type: 'float' | 'int' }> = { type: r.type, low: r.low, high: r.high };
  if (r.log !== undefined) spec.log = r.log;
  if (r.step !== undefined) spec.step = r.step;
  return spec;
}
