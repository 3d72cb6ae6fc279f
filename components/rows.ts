// Which trials the table shows, in what order: running, then queued (in dispatch order), then
// finished ones newest first. Pure and cached per state, so a 5,000-trial campaign costs one pass
// per snapshot, not one per keypress.
import { allTrials, getTrial, type CampaignState, type TrialState } from '../src/state.js';
import { describeParams } from './format/cells.js';
import type { TrialStatus } from '../src/types.js';

const STATUSES: ReadonlySet<string> = new Set<TrialStatus>([
  'queued', 'running', 'dropped', 'keep', 'discard', 'crash', 'timeout', 'pruned', 'killed', 'invalid', 'lost',
]);

let cacheKey: CampaignState['trials'] | null = null;
let cacheQueue: number[] | null = null;
let cacheRows: TrialState[] = [];

export function orderedTrials(s: CampaignState): TrialState[] {
  if (s.trials === cacheKey && s.queue === cacheQueue) return cacheRows;
  const running = s.running.map((id) => getTrial(s, id)!).filter(Boolean);
  const queued = s.queue.map((id) => getTrial(s, id)!).filter(Boolean);
  const finished = allTrials(s)
    .filter((t) => t.status !== 'running' && t.status !== 'queued')
    .sort((a, b) => (b.finished_at ?? b.proposed_at) - (a.finished_at ?? a.proposed_at) || b.id - a.id);
  cacheKey = s.trials;
  cacheQueue = s.queue;
  cacheRows = [...running, ...queued, ...finished];
  return cacheRows;
}

/** The short description a row shows: the hypothesis of a code trial, else its params. */
export function describeTrial(t: TrialState, width = 200): string {
  if (t.proposal.kind === 'code') return t.proposal.hypothesis;
  return describeParams(t.params, width);
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
