// What the budget counts: active wall time (budget.wall), trials started and not lost
// (budget.trials), trials since the last improvement (budget.patience), the first-crashes streak
// (budget.first_crashes), and the budget running out.
import type { DecisionStatus, NightshiftEvent } from '../events.js';
import { nextCrashStreak, type CrashStreak } from './rules.js';
import type { CampaignState, Handlers, TrialState } from './shape.js';

/** Active time after `e`: only gaps inside one supervisor session count (a resume starts a new one). */
export function activeMs(s: CampaignState, e: NightshiftEvent): number {
  if (e.type === 'campaign.started') return 0;
  if (e.type !== 'campaign.resumed' && s.last_event_at) return s.active_ms + Math.max(0, e.t - s.last_event_at);
  return s.active_ms;
}

/** The budget's counters after trial `t` was decided (`streak`: the crash streak before it). */
export function countDecision(
  s: CampaignState,
  streak: CrashStreak,
  t: TrialState,
  status: DecisionStatus,
  reason: string,
  best: boolean,
): CampaignState {
  const next = { ...s, crash_streak: nextCrashStreak(streak, status, reason) };
  if (status === 'lost' && t.started_at !== undefined) next.counted -= 1;
  if (best) next.since_improvement = 0;
  // Crashes and prunes count too: a campaign that only crashes has stopped improving.
  else if (status !== 'lost') next.since_improvement += 1;
  return next;
}

export const budgetEvents = {
  'budget.exhausted': (s, e) => ({ ...s, exhausted: { which: e.which, reason: e.reason } }),
} satisfies Handlers;
