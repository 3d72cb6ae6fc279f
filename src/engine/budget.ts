// The budget: why the campaign must stop now (budgetReason), and the budget as the journal records
// it (campaign.started, campaign.resumed): what the TUI's bar and `report` show, so they match what
// the engine enforces after edits and overrides.
import type { CampaignConfig } from '../config/types.js';
import * as path from 'node:path';
import type { Budget, EventOf } from '../events.js';
import { elapsedMs, getTrial, spend, type CampaignState } from '../state.js';
import { DEFAULT_FIRST_CRASHES, firstCrashesStop } from './crash-streak.js';
import { formatPlain as fmt, formatUsd } from '../format/number.js';

export function journaledBudget(c: CampaignConfig): Budget {
  return { trials: c.budget.trials, wall_ms: c.budget.wall_ms, patience: c.budget.patience, target: c.budget.target, usd: c.budget.usd, gpu_hour_usd: c.budget.gpu_hour_usd };
}

/** A proposer that fails this many times in a row ends the campaign instead of retrying forever. */
export const MAX_PROPOSER_FAILURES = 5;
/** Proposals refused in a row (never started) before the campaign stops asking that proposer. */
export const MAX_INVALID_STREAK = 10;

export type Exhausted = { which: EventOf<'budget.exhausted'>['which']; reason: string };

/** Why the campaign must stop starting trials now, or null. `outDir` only words the first-crashes hint. */
export function budgetReason(s: CampaignState, c: CampaignConfig, outDir: string, now: number): Exhausted | null {
  const b = c.budget;
  const scoredEver = (s.counts.keep ?? 0) + (s.counts.discard ?? 0) > 0;
  const where = { workdir: c.workdir, outDir, file: path.relative(process.cwd(), c.file) || c.file };
  const broken = firstCrashesStop(s.crash_streak, b.first_crashes ?? DEFAULT_FIRST_CRASHES, scoredEver, where);
  if (broken) return { which: 'crashes', reason: broken };
  const best = s.best !== null ? getTrial(s, s.best) : undefined;
  if (b.target !== undefined && best?.score != null) {
    const hit = c.metric.goal === 'minimize' ? best.score <= b.target : best.score >= b.target;
    if (hit) return { which: 'target', reason: `target reached: #${best.id} ${s.metric}=${fmt(best.score)} (target ${fmt(b.target)})` };
  }
  // Trials that count toward budget.trials and have finished.
  if (b.trials !== undefined && s.counted - s.running.length >= b.trials) {
    return { which: 'trials', reason: `trial budget reached: ${b.trials} trials` };
  }
  if (b.wall_ms !== undefined && elapsedMs(s, now) >= b.wall_ms) {
    return { which: 'wall', reason: `wall-clock budget reached: ${Math.round(b.wall_ms / 1000)}s` };
  }
  const money = usdReason(s, c);
  if (money) return { which: 'usd', reason: money };
  if (b.patience !== undefined && s.since_improvement >= b.patience) {
    return { which: 'patience', reason: `no improvement in ${b.patience} trials` };
  }
  if (s.proposer_failures >= MAX_PROPOSER_FAILURES && s.queue.length === 0) {
    return { which: 'proposer', reason: `proposer ${s.proposer} failed ${s.proposer_failures} times in a row (last: ${s.proposer_error}); switch proposer and resume` };
  }
  if (s.invalid_streak.count >= MAX_INVALID_STREAK && s.queue.length === 0) {
    // Refused proposals start nothing and spend no trial budget: without this bound a model whose
    // every edit is refused would be called (and paid) all night.
    return { which: 'proposer', reason: `the last ${s.invalid_streak.count} proposals of ${s.proposer} were all invalid (last: ${s.invalid_streak.reason.replace(/\.$/, '')}); add a note for the model or switch proposer, then resume` };
  }
  if (s.proposer_exhausted && s.queue.length === 0 && s.running.length === 0) {
    return { which: 'space', reason: `proposer ${s.proposer} has nothing left to propose (search space exhausted)` };
  }
  return null;
}

/** Why no more money may be spent (budget.usd reached), or null; also guards each model call. */
export function usdReason(s: CampaignState, c: CampaignConfig): string | null {
  const limit = c.budget.usd;
  if (limit === undefined) return null;
  const m = spend(s, c.budget.gpu_hour_usd);
  if (m.total_usd < limit) return null;
  const parts = [`LLM ${formatUsd(m.llm_usd)}`];
  if (c.budget.gpu_hour_usd !== undefined) parts.push(`GPU ${fmt(m.gpu_hours)} h × ${formatUsd(c.budget.gpu_hour_usd)} = ${formatUsd(m.gpu_usd)}`);
  return `USD budget reached: ${formatUsd(m.total_usd)} of ${formatUsd(limit, { whole: true })} spent (${parts.join(', ')})`;
}

/**
 * Whether a stop means the campaign failed (exit 1) rather than finished: its trials cannot run
 * (first crashes), or its proposer cannot propose (a model that refuses the key, a proposer that
 * keeps failing). Budgets reached are a normal finish.
 */
export function failsCampaign(which: string): boolean {
  return which === 'crashes' || which === 'proposer' || which === 'hosts';
}

/** The campaign cannot go on: nothing runs and the runner says no host can take a trial (refused, unfit). */
export function nowhereReason(s: CampaignState, unusable: string | null | undefined): Exhausted | null {
  return s.running.length === 0 && unusable ? { which: 'hosts', reason: unusable } : null;
}
