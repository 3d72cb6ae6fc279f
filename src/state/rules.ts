// The parts of the reducer that decide fates on resume: cancel intents per trial, the proposer's
// health (failures in a row, exhaustion) and the first-crashes streak. Journaled, so a resumed
// supervisor honours what the previous one had decided. Pure functions used by the reducer (src/state.ts).
import type { CancelBy, DecisionStatus } from '../events.js';

/** A stop someone asked for while the trial ran (see the trial.cancel_requested event). */
export interface CancelIntent {
  by: CancelBy;
  mode: 'prune' | 'stop' | 'kill';
  /** The decided trial's reason when the intent stands. */
  reason: string;
}

/** The operator's kill or prune as an intent (operator.kill is its journal record). */
export function operatorIntent(mode: 'kill' | 'prune', reason?: string): CancelIntent {
  return { by: 'operator', mode, reason: `${mode === 'kill' ? 'killed' : 'pruned'} by the operator${reason ? `: ${reason}` : ''}` };
}

/**
 * Crashes in a row since the campaign (or this session: `resume` starts a new streak) began, all with
 * the same reason; null once anything else was decided. Lost trials do not count either way.
 */
export type CrashStreak = { count: number; reason: string } | null;

export const NEW_STREAK: CrashStreak = { count: 0, reason: '' };

export function nextCrashStreak(streak: CrashStreak, status: DecisionStatus, reason: string): CrashStreak {
  if (streak === null || status === 'lost') return streak;
  if (status !== 'crash') return null;
  if (streak.count > 0 && streak.reason !== reason) return null;
  return { count: streak.count + 1, reason };
}

export interface ProposerHealth {
  /** Failures in a row of the active proposer, and the last error. */
  proposer_failures: number;
  proposer_error: string;
  /** The active proposer returned nothing to propose. */
  proposer_exhausted: boolean;
}

export const HEALTHY: ProposerHealth = { proposer_failures: 0, proposer_error: '', proposer_exhausted: false };
