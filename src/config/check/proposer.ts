// proposer: one proposer or a list (the operator switches between them by type), each with the
// options its registry entry's schema accepts, and able to search the space.
import type { Space } from '../../types.js';
import type { Checker } from '../checker.js';
import { DEFAULTS } from '../defaults.js';
import { dropNulls, isPlainMap } from '../schema.js';
import type { ProposerSpec } from '../types.js';
import { closest, type Path } from '../words.js';

export function checkProposers(c: Checker, value: unknown, space: Space | undefined): ProposerSpec[] | undefined {
  const known = Object.keys(c.registry);
  if (value === undefined || value === null) value = DEFAULTS.proposer;
  const single = !Array.isArray(value);
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) {
    c.expect(['proposer'], `expected a proposer or a non-empty list of them (known: ${known.join(', ')})`);
    return undefined;
  }
  const out: ProposerSpec[] = [];
  const typesSeen = new Map<string, number>();
  let ok = true;
  for (const [i, item] of items.entries()) {
    const p: Path = single ? ['proposer'] : ['proposer', i];
    const spec = checkProposer(c, item, p, known, space);
    if (!spec) {
      ok = false;
      continue;
    }
    const first = typesSeen.get(spec.type);
    if (first !== undefined) {
      c.add(p, `${spec.type} is listed twice (also proposer[${first}]); the operator switches proposer by type, so list each type once. Remove one and run again.`);
      ok = false;
      continue;
    }
    typesSeen.set(spec.type, i);
    out.push(spec);
  }
  return ok ? out : undefined;
}

export function checkProposer(c: Checker, item: unknown, p: Path, known: string[], space: Space | undefined): ProposerSpec | undefined {
  const knownText = `one of the known proposers (${known.join(', ')})`;
  let type: unknown;
  let rawOptions: Record<string, unknown> = {};
  const typePath = isPlainMap(item) ? [...p, 'type'] : p;
  if (typeof item === 'string') type = item;
  else if (isPlainMap(item)) {
    ({ type, ...rawOptions } = item);
    if (type === undefined || type === null) {
      c.expect(typePath, `expected the proposer's type, ${knownText}`, `Write e.g. { type: ${known[0] ?? 'random'}, ... }.`);
      return undefined;
    }
  } else {
    c.expect(p, `expected ${knownText}, or a map like { type: ${known[0] ?? 'random'}, ... } with its options`);
    return undefined;
  }
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(c.registry, type)) {
    const guess = typeof type === 'string' ? closest(type, known) : undefined;
    c.expect(typePath, `expected ${knownText}`, guess ? `Did you mean \`${guess}\`?` : 'Pick one of them and run again.');
    return undefined;
  }
  const entry = c.registry[type];
  const options = c.parse(entry.options, dropNulls(rawOptions), p, ['type']);
  if (options === undefined) return undefined;
  if (space && entry.unsupported) {
    const reason = entry.unsupported(space);
    if (reason) {
      c.add(p, `the ${type} proposer cannot search this space: ${reason.replace(/\.$/, '')}. Choose another proposer or change the space, then run again.`);
      return undefined;
    }
  }
  return { type, options: isPlainMap(options) ? options : {} };
}
