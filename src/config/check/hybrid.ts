// proposer: { type: hybrid, params: tpe, code: llm-code, stall: 15, fallback_after: 3, ask_after: 5 }
// expands to the two proposers it switches between (params first: the campaign starts on them) and
// the switch's rules (config.hybrid; src/engine/hybrid.ts applies them). `params` and `code` are
// each a proposer's name or a { type, ...options } map, and must be of their side.
import { z } from 'zod';
import type { Space } from '../../types.js';
import type { Checker } from '../checker.js';
import { isPlainMap, wholeNumber } from '../schema.js';
import type { CampaignConfig, ProposerSpec } from '../types.js';
import { checkProposer } from './proposer.js';

export const HYBRID_DEFAULTS = { stall: 15, fallback_after: 3, ask_after: 5 } as const;

const HYBRID_KEYS = ['type', 'params', 'code', 'stall', 'fallback_after', 'ask_after'];

export type HybridRules = NonNullable<CampaignConfig['hybrid']>;

/** null: `proposer:` is not a hybrid (check it as usual); undefined: a hybrid with problems (recorded). */
export function checkHybrid(c: Checker, value: unknown, rawSpace: unknown, space: Space | undefined): { proposers: ProposerSpec[]; hybrid: HybridRules } | null | undefined {
  if (Array.isArray(value) && value.some((v) => v === 'hybrid' || (isPlainMap(v) && v.type === 'hybrid'))) {
    c.add(['proposer'], 'hybrid cannot be listed with other proposers: it names its own two (params: and code:). Write proposer: { type: hybrid, params: tpe, code: llm-code } and run again.');
    return undefined;
  }
  if (value === 'hybrid') {
    c.add(['proposer'], 'hybrid needs the two proposers it switches between. Write proposer: { type: hybrid, params: tpe, code: llm-code } and run again.');
    return undefined;
  }
  if (!isPlainMap(value) || value.type !== 'hybrid') return null;
  const p = ['proposer'];
  const shape = z.strictObject({
    type: z.literal('hybrid'),
    params: z.unknown().optional(),
    code: z.unknown().optional(),
    stall: wholeNumber(1).optional(),
    fallback_after: wholeNumber(1).optional(),
    ask_after: wholeNumber(1).optional(),
  });
  const opts = c.parse(shape, value, p);
  if (!opts) return undefined;
  let ok = true;
  const sides: Record<'params' | 'code', ProposerSpec | undefined> = { params: undefined, code: undefined };
  for (const side of ['params', 'code'] as const) {
    const item = value[side];
    if (item === undefined || item === null) {
      c.expect([...p, side], `expected the ${side} proposer hybrid switches to, e.g. ${side}: ${side === 'params' ? 'tpe' : 'llm-code'}`);
      ok = false;
      continue;
    }
    const known = Object.keys(c.registry).filter((name) => (c.registry[name].side ?? 'params') === side);
    const spec = checkProposer(c, item, [...p, side], known, space);
    if (!spec) {
      ok = false;
      continue;
    }
    if ((c.registry[spec.type].side ?? 'params') !== side) {
      c.add([...p, side], `${spec.type} proposes ${side === 'params' ? 'code edits' : 'parameter points'}, not ${side === 'params' ? 'parameter points' : 'code edits'}; hybrid's ${side}: takes one of ${known.join(', ') || 'none'}. Fix it and run again.`);
      ok = false;
      continue;
    }
    sides[side] = spec;
  }
  // The params side searches the space: without one there is nothing for it to tune.
  if (rawSpace === undefined || rawSpace === null) {
    c.add(p, 'hybrid switches between parameter search and code edits, so the campaign needs a `space:` for its params side. Add space: (or use a code proposer alone) and run again.');
    ok = false;
  }
  if (!ok || !sides.params || !sides.code) return undefined;
  return {
    proposers: [sides.params, sides.code],
    hybrid: {
      params: sides.params.type,
      code: sides.code.type,
      stall: opts.stall ?? HYBRID_DEFAULTS.stall,
      fallback_after: opts.fallback_after ?? HYBRID_DEFAULTS.fallback_after,
      ask_after: opts.ask_after ?? HYBRID_DEFAULTS.ask_after,
    },
  };
}
