// Reading and writing trials in the state: ids start at 1 and are dense, stored in chunks of 64 so
// one update copies ~64 slots rather than every trial; and the derived views the screens read.
import { summarizeOutput } from '../trial-summary.js';
import type { TrialStatus, TrialView } from '../types.js';
import type { CampaignState, RunState, TrialState } from './shape.js';

const CHUNK = 64;

export function getTrial(s: CampaignState, id: number): TrialState | undefined {
  if (id < 1 || id > s.trial_count) return undefined;
  return s.trials[(id - 1) >> 6][(id - 1) & (CHUNK - 1)];
}

export function allTrials(s: CampaignState): TrialState[] {
  return s.trials.flat();
}

/** The trial chunks with `t` in its slot (copied, never mutated). */
export function setTrial(s: CampaignState, t: TrialState): TrialState[][] {
  const c = (t.id - 1) >> 6;
  const trials = s.trials.slice();
  const chunk = c < trials.length ? trials[c].slice() : [];
  chunk[(t.id - 1) & (CHUNK - 1)] = t;
  trials[c] = chunk;
  return trials;
}

/** Status counts after one trial moves from `from` (null: a new trial) to `to`. */
export function bump(counts: CampaignState['counts'], from: TrialStatus | null, to: TrialStatus): CampaignState['counts'] {
  const next = { ...counts };
  if (from) next[from] = (next[from] ?? 1) - 1;
  next[to] = (next[to] ?? 0) + 1;
  return next;
}

/** Patches one trial, keeping the status counts in step; an unknown id leaves the state alone. */
export function updateTrial(s: CampaignState, id: number, patch: Partial<TrialState>): CampaignState {
  const t = getTrial(s, id);
  if (!t) return s;
  const next = { ...t, ...patch };
  const counts = patch.status && patch.status !== t.status ? bump(s.counts, t.status, patch.status) : s.counts;
  return { ...s, trials: setTrial(s, next), counts };
}

export function runState(s: CampaignState): RunState {
  if (s.finished) return 'FINISHED';
  if (s.exhausted) return 'DRAINING';
  if (s.paused) return 'PAUSED';
  return 'RUNNING';
}

/** Elapsed active wall time at `now` (counts the current session up to now while it is live). */
export function elapsedMs(s: CampaignState, now: number): number {
  if (s.finished) return s.active_ms;
  return s.active_ms + Math.max(0, now - s.last_event_at);
}

export function trialView(t: TrialState): TrialView {
  return {
    id: t.id,
    status: t.status,
    params: t.params,
    diff: t.proposal.kind === 'code' ? t.proposal.diff : undefined,
    hypothesis: t.proposal.kind === 'code' ? t.proposal.hypothesis : undefined,
    score: t.score,
    lastValue: t.curve.lastValue,
    lastStep: t.curve.lastStep,
    reason: t.reason,
    summary: summarizeOutput([t.reason]),
    commit: t.commit,
    proposer: t.proposer,
  };
}

/** Score of the best trial, or null. */
export function bestScore(s: CampaignState): number | null {
  return s.best === null ? null : (getTrial(s, s.best)?.score ?? null);
}
