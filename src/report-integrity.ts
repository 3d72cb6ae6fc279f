// The integrity part of `report`: whether the winner may be called verified (hash chain intact,
// frozen files unchanged: src/verify/verify.ts decides) and the hashes the kept trials were scored
// under, once when they all share them.
import { shortHash } from './chain.js';
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
  // Older journals recorded no hashes: nothing to show.
  const kept = allTrials(s).filter((t) => t.status === 'keep' && (t.fingerprint?.frozen || t.fingerprint?.evaluator));
  if (kept.length === 0) return out;
  const key = (t: (typeof kept)[number]) => pair(t.fingerprint!.frozen, t.fingerprint!.evaluator);
  const keys = new Set(kept.map(key));
  if (keys.size === 1) out.push(`scored under: ${[...keys][0]} (all ${kept.length} kept trial${kept.length === 1 ? '' : 's'})`);
  else {
    out.push('scored under (kept trials differ):');
    for (const t of kept) out.push(`  #${t.id}: ${key(t)}`);
  }
  return out;
}
