// Which trials the table shows, in what order: running, then queued (in dispatch order), then
// finished ones newest first. Pure and cached per state, so a 5,000-trial campaign costs one pass
// per snapshot, not one per keypress.
import { allTrials, getTrial, type CampaignState, type TrialState } from '../src/state.js';
import { describeParams } from '../src/format/params.js';
import { sanitize } from '../src/format/sanitize.js';
import type { TrialStatus } from '../src/types.js';

const STATUSES: ReadonlySet<string> = new Set<TrialStatus>([
  'queued', 'running', 'dropped', 'keep', 'discard', 'crash', 'timeout', 'pruned', 'killed', 'invalid', 'lost',
]);

let cacheCounts: CampaignState['counts'] | null = null;
let cacheFinished: number[] = [];

/**
 * Finished trials change order only when a status changes, and every status change replaces
 * `counts`: so the sort runs once per decision, not once per metric batch.
 */
function finishedIds(s: CampaignState): number[] {
  if (s.counts !== cacheCounts) {
    cacheCounts = s.counts;
    cacheFinished = allTrials(s)
      .filter((t) => t.status !== 'running' && t.status !== 'queued')
      .sort((a, b) => (b.finished_at ?? b.proposed_at) - (a.finished_at ?? a.proposed_at) || b.id - a.id)
      .map((t) => t.id);
  }
  return cacheFinished;
}

export function orderedTrials(s: CampaignState): TrialState[] {
  const ids = [...s.running, ...s.queue, ...finishedIds(s)];
  return ids.map((id) => getTrial(s, id)!).filter(Boolean);
}

/**
 * The short description a row shows: the hypothesis of a code trial, else its params (numbers to
 * at most `maxDigits` significant digits when given).
 */
export function describeTrial(t: TrialState, width = 200, maxDigits?: number): string {
  if (t.proposal.kind === 'code') return sanitize(t.proposal.hypothesis);
  return describeParams(t.params, width, false, maxDigits);
}

/**
 * A filter is a status name (`crash`), several (`crash,timeout`), or any text matched against the
 * id, params, reason and proposer. Empty: everything.
 */
export function applyFilter(rows: TrialState[], filter: string): TrialState[] {
  const f = filter.trim().toLowerCase();
  if (!f) return rows;
  const parts = f.split(/[,\s]+/).filter(Boolean);
  if (parts.every((p) => STATUSES.has(p))) return rows.filter((t) => parts.includes(t.status));
  return rows.filter((t) => `#${t.id} ${t.status} ${describeTrial(t)} ${t.reason} ${t.proposer} ${t.host ?? ''}`.toLowerCase().includes(f));
}
