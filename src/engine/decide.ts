// The keep/discard rule. Pure: given the campaign state, the finished trial's metrics and its cohort,
// say keep or discard, why, and whether it is the new best. Best-so-far is monotone by construction:
// `best` is only set when the score strictly improves on the cohort's best.
import type { DecideConfig } from '../config/types.js';
import type { Goal } from '../types.js';
import { allTrials, getTrial, type CampaignState } from '../state.js';
import { formatPlain } from '../format/number.js';

export interface Verdict {
  status: 'keep' | 'discard' | 'crash';
  reason: string;
  score: number | null;
  best: boolean;
}

export function better(a: number, b: number, goal: Goal): boolean {
  return goal === 'minimize' ? a < b : a > b;
}

/** The score a decide mode ranks by, or a crash reason when the metrics do not allow one. */
export function scoreOf(decide: DecideConfig, metric: string, metrics: Record<string, number>): number | string {
  if (decide.mode === 'weighted') {
    let sum = 0;
    for (const [name, w] of Object.entries(decide.weights)) {
      const v = metrics[name];
      if (v === undefined) return `weighted score needs ${name}, which the trial did not report`;
      if (!Number.isFinite(v)) return `${name} is ${v}`;
      sum += w * v;
    }
    return sum;
  }
  const name = decide.mode === 'pareto' ? decide.objectives[0].name : metric;
  const v = metrics[name];
  if (v === undefined) return `the trial reported no ${name}`;
  if (!Number.isFinite(v)) return `${name} is ${v}`;
  return v;
}

function dominates(a: Record<string, number>, b: Record<string, number>, objectives: Array<{ name: string; goal: Goal }>): boolean {
  let strictly = false;
  for (const o of objectives) {
    const x = a[o.name];
    const y = b[o.name];
    if (better(y, x, o.goal)) return false;
    if (better(x, y, o.goal)) strictly = true;
  }
  return strictly;
}

export function decideTrial(
  s: CampaignState,
  decide: DecideConfig,
  metric: string,
  goal: Goal,
  metrics: Record<string, number>,
  cohort: string,
  cohortCount: number,
): Verdict {
  const score = scoreOf(decide, metric, metrics);
  if (typeof score === 'string') return { status: 'crash', reason: score, score: null, best: false };
  const bestId = s.best_by_cohort[cohort];
  const best = bestId !== undefined ? getTrial(s, bestId) : undefined;
  const label = decide.mode === 'weighted' ? 'weighted score' : decide.mode === 'pareto' ? decide.objectives[0].name : metric;
  const cohortNote = cohortCount > 1 ? ` on fingerprint ${cohort}` : '';

  if (decide.mode === 'constraint') {
    const v = metrics[decide.metric];
    if (v === undefined || !Number.isFinite(v)) {
      return { status: 'discard', reason: `constraint metric ${decide.metric} was not reported`, score, best: false };
    }
    if (decide.max !== undefined && v > decide.max) {
      return { status: 'discard', reason: `violates constraint: ${decide.metric}=${formatPlain(v)} > max ${formatPlain(decide.max)}`, score, best: false };
    }
    if (decide.min !== undefined && v < decide.min) {
      return { status: 'discard', reason: `violates constraint: ${decide.metric}=${formatPlain(v)} < min ${formatPlain(decide.min)}`, score, best: false };
    }
  }

  if (decide.mode === 'pareto') {
    for (const t of allTrials(s)) {
      if (t.status !== 'keep' || (t.fingerprint?.key ?? '') !== cohort) continue;
      if (decide.objectives.every((o) => Number.isFinite(t.metrics[o.name])) && dominates(t.metrics, metrics, decide.objectives)) {
        return { status: 'discard', reason: `dominated by #${t.id} on ${decide.objectives.map((o) => o.name).join(', ')}`, score, best: false };
      }
    }
    const isBest = !best || best.score === null || better(score, best.score, goal);
    return { status: 'keep', reason: `on the Pareto front${cohortNote}`, score, best: isBest };
  }

  if (!best || best.score === null) {
    return { status: 'keep', reason: `baseline: first scored trial${cohortNote}`, score, best: true };
  }
  if (better(score, best.score, goal)) {
    return { status: 'keep', reason: `improved ${label} ${formatPlain(best.score)} → ${formatPlain(score)} (was #${best.id})`, score, best: true };
  }
  return { status: 'discard', reason: `${label} ${formatPlain(score)} is not better than ${formatPlain(best.score)} (#${best.id})`, score, best: false };
}
