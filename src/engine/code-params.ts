// The parameters a code trial runs with. A code proposal changes the script, not the knobs, but in a
// campaign with a `space:` the command still has {placeholders}: the edit is tested at the best
// point found so far (the incumbent's), so its score compares with the incumbent's like for like.
// Before anything has scored, the middle of the space stands in (geometric middle for log ranges,
// the first choice of a categorical).
import type { CampaignState } from '../state.js';
import { getTrial } from '../state.js';
import type { Params, ParamSpec, Proposal, Space } from '../types.js';

export function withIncumbentParams(p: Proposal, s: CampaignState, space: Space): Proposal {
  if (p.kind !== 'code' || p.params || Object.keys(space).length === 0) return p;
  const inc = s.incumbent !== null ? getTrial(s, s.incumbent) : undefined;
  const params = inc && Object.keys(inc.params).length > 0 ? { ...inc.params } : middleOf(space);
  return { ...p, params };
}

function middleOf(space: Space): Params {
  const out: Params = {};
  for (const [name, spec] of Object.entries(space)) out[name] = middle(spec);
  return out;
}

function middle(spec: ParamSpec): string | number | boolean {
  if (spec.type === 'categorical') return spec.choices[0];
  let v = spec.log ? Math.sqrt(spec.low * spec.high) : (spec.low + spec.high) / 2;
  if (spec.step) v = spec.low + Math.round((v - spec.low) / spec.step) * spec.step;
  return spec.type === 'int' ? Math.round(v) : v;
}
