// The integrity part of `report`: whether the winner may be called verified (hash chain intact,
// frozen files unchanged: src/verify/verify.ts decides) and the hashes the trials were scored
// under: every scored decision's, once when they all share them, and whether that frozen set is the one
// campaign.started recorded.
import { shortHash } from './chain.js';
import { frozenSetHash } from './integrity.js';
import { allTrials, type CampaignState } from './state.js';

export interface Integrity {
  verified: boolean;
  /** Why the winner is not verified (a phrase), when it is not. */
  why: string | null;
}

const pair = (f?: string, e?: string) => `frozen set ${f ? shortHash(f) : 'unrecorded'}, evaluator ${e ? shortHash(e) : 'unrecorded'}`;

/** Lines for the text report (after the best trial). */
export function integrityLines(s: CampaignState, integrity: Integrity): string[] {
  const out: string[] = [];
  if (s.best !== null) {
    out.push(integrity.verified ? '  verified: hash chain intact, frozen files match' : `  not verified: ${integrity.why}.`);
  }
  // Every scored decision, not only the kept ones: a discarded trial scored under another evaluator
  // is as telling. Older journals recorded no hashes: nothing to show.
  const scored = allTrials(s).filter((t) => t.score !== null && (t.fingerprint?.frozen || t.fingerprint?.evaluator));
  if (scored.length === 0) return out;
  const atStart = frozenSetHash(s.frozen);
  const key = (t: (typeof scored)[number]) =>
    pair(t.fingerprint!.frozen, t.fingerprint!.evaluator) + (t.fingerprint!.frozen === atStart ? '' : ' (NOT the frozen set recorded at the start)');
  const groups = new Map<string, number[]>();
  for (const t of scored) groups.set(key(t), [...(groups.get(key(t)) ?? []), t.id]);
  const kept = scored.filter((t) => t.status === 'keep').length;
  if (groups.size === 1) out.push(`scored under: ${[...groups.keys()][0]} (all ${scored.length} scored trial${scored.length === 1 ? '' : 's'}, ${kept} kept)`);
  else {
    out.push('scored under (scored trials differ):');
    for (const [k, ids] of groups) out.push(`  ${k}: ${ids.slice(0, 12).map((id) => `#${id}`).join(', ')}${ids.length > 12 ? `, … (${ids.length})` : ''}`);
  }
  return out;
}
