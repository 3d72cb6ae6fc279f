// Proposing: asks the active proposer for k proposals and journals what came back (the proposals,
// its failure, or that it has nothing left). One request at a time; a switch or a stop aborts it.
import type { CampaignConfig } from '../config/types.js';
import type { EventBody } from '../events.js';
import { getTrial, trialView, type CampaignState } from '../state.js';
import type { ProposeResult, Proposer, TrialView } from '../types.js';
import type { TrialHistory } from './incremental.js';
import { withIncumbentParams } from './code-params.js';
import { escalationEvent, usageEvent } from './propose-events.js';
import { LlmError, type LlmErrorKind } from '../llm/errors.js';

/** Model errors that a retry cannot fix (the key, the model name, the base_url). */
const PERMANENT: ReadonlySet<LlmErrorKind> = new Set(['auth', 'not_found', 'no_key']);

/**
 * Why the active proposer is active, for its prompt: set when a switch (the hybrid's escalation or
 * fall-back, or the operator) put it there. `from` is the proposer of the latest trial by another one.
 */
export function escalationOf(s: CampaignState, history: readonly TrialView[]): { from: string; reason: string } | undefined {
  if (!s.active_reason) return undefined;
  let from = '';
  for (let i = history.length - 1; i >= 0; i--) {
    if (history[i].proposer !== s.proposer) {
      from = history[i].proposer;
      break;
    }
  }
  return { from, reason: s.active_reason };
}

export interface ProposeDeps {
  config: CampaignConfig;
  state: () => CampaignState;
  proposers: Map<string, Proposer>;
  history: TrialHistory;
  emit: (body: EventBody) => void;
  /** Whether the engine stopped (closed, stopping) while the proposer worked: its answer is dropped. */
  stopped: () => boolean;
  /** Whether the journal is closed (usage is journaled even when the proposals are dropped). */
  closed: () => boolean;
  kick: () => void;
  retryMs: number;
}

/** Runs one proposal request under `ctrl`; the caller clears its in-flight marker when this settles. */
export async function proposeBatch(deps: ProposeDeps, k: number, ctrl: AbortController): Promise<void> {
  const s = deps.state();
  const name = s.proposer;
  const proposer = deps.proposers.get(name);
  if (!proposer) return;
  let result: ProposeResult = { proposals: [] };
  try {
    const history = deps.history.snapshot(s);
    const inc = s.incumbent !== null ? getTrial(s, s.incumbent) : undefined;
    const c = deps.config;
    const escalation = escalationOf(s, history);
    result = await proposer.propose(
      {
        space: c.space, goal: c.metric.goal, history, incumbent: inc ? trialView(inc) : null, seed: c.seed, proposed: s.trial_count,
        notes: s.notes, ...(escalation ? { escalation } : {}), signal: ctrl.signal,
      },
      k,
    );
  } catch (err) {
    if (!ctrl.signal.aborted && !deps.stopped()) {
      const error = (err as Error).message ?? String(err);
      // Journaled, and counted by the state: a resumed supervisor goes on from the same count.
      deps.emit({ type: 'proposer.failed', proposer: name, error });
      if (err instanceof LlmError && PERMANENT.has(err.kind) && !deps.state().exhausted) {
        // A wrong key or model fails the same way every time: stop now with the reason instead of
        // retrying it MAX_PROPOSER_FAILURES times. Running trials still finish and are judged.
        deps.emit({ type: 'budget.exhausted', which: 'proposer', reason: `proposer ${name} cannot use its model: ${error.replace(/\.$/, '')}` });
        deps.kick();
        return;
      }
      // Try again shortly rather than spinning; the budget check ends the campaign if it keeps failing.
      setTimeout(() => deps.kick(), deps.retryMs).unref();
    }
    return;
  }
  // Spent is spent: the cost is journaled even when the proposals are thrown away below.
  if (result.usage && !deps.closed()) deps.emit(usageEvent(name, result.usage));
  return journalProposals(deps, name, result, ctrl);
}

function journalProposals(deps: ProposeDeps, name: string, result: ProposeResult, ctrl: AbortController): void {
  if (deps.stopped() || ctrl.signal.aborted) return;
  if (deps.state().proposer !== name) {
    // The operator switched while we were proposing: the next proposal comes from the new one.
    deps.kick();
    return;
  }
  const escalation = escalationEvent(name, result, deps.proposers);
  if (result.proposals.length === 0 && escalation?.to === undefined) deps.emit({ type: 'proposer.exhausted', proposer: name });
  for (const p of result.proposals) {
    const proposal = withIncumbentParams(p, deps.state(), deps.config.space);
    deps.emit({ type: 'trial.proposed', id: deps.state().trial_count + 1, proposer: name, proposal });
  }
  // After its proposals, which stay queued: the next call goes to the proposer taking over.
  if (escalation) deps.emit(escalation);
  deps.kick();
}
