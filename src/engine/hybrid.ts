// The hybrid switch (`proposer: { type: hybrid, ... }`): which side proposes next, judged after
// every decision. Start on params; after `stall` decided params trials without improvement,
// escalate to code; after `fallback_after` invalid or crashed code trials in a row, fall back to
// params; after a kept code trial, go back to params to tune the new code; and once a fallback has
// happened, when the code side stalls again (`ask_after` failed or non-improving code trials in a
// row, or another run of failures), pause and ask the operator rather than burn the budget.
// Pure and derived from the state alone (trials, their proposers and the operator log), so a
// resumed campaign applies the same rules from where it was.
import type { CampaignConfig } from '../config/types.js';
import type { EventBody, NightshiftEvent } from '../events.js';
import { getTrial, type CampaignState, type TrialState } from '../state.js';

export type HybridRules = NonNullable<CampaignConfig['hybrid']>;

/** Decisions that say nothing about a side: lost trials re-run, the operator's kills. */
const NEUTRAL = new Set(['lost', 'killed', 'dropped', 'queued', 'running']);
const SWITCHES = new Set(['proposer.escalated', 'proposer.fell_back', 'operator.switch']);

const improved = (t: TrialState): boolean => t.status === 'keep' || t.best;
const failed = (t: TrialState): boolean => t.status === 'invalid' || t.status === 'crash';

/**
 * The active proposer's current stint: its decided trials proposed since another proposer's last
 * proposal (ids grow with proposals), in decision order.
 */
function stint(s: CampaignState, name: string): TrialState[] {
  const out: TrialState[] = [];
  for (let id = s.trial_count; id >= 1; id--) {
    const t = getTrial(s, id)!;
    if (t.proposer !== name) {
      if (t.requeue_of !== undefined) continue; // a lost trial's re-run is not a new proposal
      break;
    }
    if (!NEUTRAL.has(t.status)) out.push(t);
  }
  return out.sort((a, b) => (a.finished_at ?? 0) - (b.finished_at ?? 0) || a.id - b.id);
}

/** How many of the last trials in a row satisfy `pred`. */
function trailing(ts: TrialState[], pred: (t: TrialState) => boolean): number {
  let n = 0;
  for (let i = ts.length - 1; i >= 0 && pred(ts[i]); i--) n++;
  return n;
}

/** When the active proposer became active (0: from the start), from the operator log. */
function activeSince(s: CampaignState): number {
  for (let i = s.operator_log.length - 1; i >= 0; i--) if (SWITCHES.has(s.operator_log[i].type)) return s.operator_log[i].t;
  return 0;
}

/** The switch to journal after trial `decided` was decided, or null. */
export function hybridSwitch(rules: HybridRules, s: CampaignState, decided: number): EventBody | null {
  if (s.finished || s.exhausted) return null;
  const t = getTrial(s, decided);
  if (s.proposer === rules.params) {
    const run = trailing(stint(s, rules.params), (x) => !improved(x));
    if (run < rules.stall) return null;
    return { type: 'proposer.escalated', from: rules.params, to: rules.code, side: 'code', reason: `${run} decided trials of ${rules.params} without improvement (stall: ${rules.stall})` };
  }
  if (s.proposer !== rules.code) return null; // the operator chose a proposer outside the hybrid
  if (t && t.proposer === rules.code && t.status === 'keep') {
    return { type: 'proposer.escalated', from: rules.code, to: rules.params, side: 'params', reason: `code trial #${t.id} kept: tuning the new code` };
  }
  const code = stint(s, rules.code);
  const crashes = trailing(code, failed);
  const stalled = trailing(code, (x) => !improved(x));
  // Both sides have stalled when the code side stalls again after a fallback with no kept code since.
  let lastKept = 0;
  for (let id = 1; id <= s.trial_count; id++) {
    const x = getTrial(s, id)!;
    if (x.proposer === rules.code && x.status === 'keep') lastKept = Math.max(lastKept, x.finished_at ?? 0);
  }
  const fellBack = s.operator_log.some((o) => o.type === 'proposer.fell_back' && o.t >= lastKept);
  const since = activeSince(s);
  const asked = s.operator_log.some((o) => o.type === 'proposer.ask' && o.t >= since);
  if (fellBack && !asked && s.ask === null && (stalled >= rules.ask_after || crashes >= rules.fallback_after)) {
    const what = crashes >= rules.fallback_after ? `${crashes} code trials in a row were invalid or crashed` : `${stalled} code trials in a row failed or did not improve`;
    return {
      type: 'proposer.ask',
      reason: `both sides have stalled: parameter search (${rules.params}) stopped improving, and since the last fallback ${what}. Switch side, add a note for the model, or resume to keep going.`,
    };
  }
  if (!fellBack && crashes >= rules.fallback_after) {
    return { type: 'proposer.fell_back', from: rules.code, to: rules.params, reason: `${crashes} code trials in a row were invalid or crashed (fallback_after: ${rules.fallback_after})` };
  }
  return null;
}

/**
 * The switch to journal after the active proposer failed (the model cannot be reached, a 429 storm
 * past its retries): when the code side has failed `fallback_after` times in a row, parameter
 * search goes on rather than the campaign ending on proposer failures.
 */
export function hybridAfterFailure(rules: HybridRules, s: CampaignState): EventBody | null {
  if (s.finished || s.exhausted || s.proposer !== rules.code || s.proposer_failures < rules.fallback_after) return null;
  const last = s.proposer_error.length > 160 ? `${s.proposer_error.slice(0, 159)}…` : s.proposer_error;
  return { type: 'proposer.fell_back', from: rules.code, to: rules.params, reason: `the model failed ${s.proposer_failures} times in a row (last: ${last})` };
}

/** What the hybrid switch says after event `e`, if anything. */
export function hybridNext(rules: HybridRules, s: CampaignState, e: NightshiftEvent): EventBody | null {
  if (e.type === 'trial.decided') return hybridSwitch(rules, s, e.id);
  if (e.type === 'proposer.failed') return hybridAfterFailure(rules, s);
  return null;
}
