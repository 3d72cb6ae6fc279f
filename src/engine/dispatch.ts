// Dispatch and the queue: which queued trials start now and how many proposals to ask for ahead.
// Capacity is the runner's (its free placements); a trial that is not ready (being started, or,
// for code trials, not yet prepared or approved) is skipped, not waited on.
import type { CampaignConfig } from '../config/types.js';
import type { Placement } from '../runner.js';
import type { CampaignState, TrialState } from '../state.js';

/** Whether a queued trial can start now. Code-trial stages (prepared, approved) plug in here. */
export type Ready = (t: TrialState) => boolean;

/** Pairs the first ready queued trials with the free placements, within the trial budget. */
export function dispatchPlan(
  s: CampaignState,
  free: Placement[],
  trialsLeft: number,
  ready: Ready,
  trial: (id: number) => TrialState | undefined,
): Array<{ id: number; placement: Placement }> {
  const plan: Array<{ id: number; placement: Placement }> = [];
  if (s.paused) return plan;
  for (const id of s.queue) {
    if (plan.length >= free.length || plan.length >= trialsLeft) break;
    const t = trial(id);
    if (t && ready(t)) plan.push({ id, placement: free[plan.length] });
  }
  return plan;
}

/** Proposals to ask for: enough that a free slot never waits on the proposer, never beyond the trial budget. */
export function proposalsWanted(config: CampaignConfig, s: CampaignState, free: number, starting: number): number {
  const left = config.budget.trials !== undefined ? config.budget.trials - s.counted - starting : Infinity;
  const queued = s.queue.length - starting;
  return Math.min(free + config.queue_ahead - queued, left - queued);
}
