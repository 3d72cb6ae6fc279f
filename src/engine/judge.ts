// How a finished trial is judged: a function of explicit inputs (its state, how it exited, the stop
// someone asked for, the campaign's rules, and an evaluator to call), so it is tested alone.
import type { CampaignConfig } from '../config/types.js';
import type { DecisionStatus } from '../events.js';
import type { ExitInfo } from '../runner.js';
import type { CampaignState, TrialState } from '../state.js';
import type { CancelIntent } from '../state/rules.js';
import type { EvaluateResult } from './evaluate.js';
import { decideTrial } from './decide.js';
import { cancelledFate, crashReason, nonFiniteReading } from './fate.js';
import { formatPlain } from '../format/number.js';

export interface JudgeVerdict {
  status: DecisionStatus;
  reason: string;
  score: number | null;
  best: boolean;
  metrics: Record<string, number>;
}

export interface JudgeInputs {
  config: Pick<CampaignConfig, 'metric' | 'decide' | 'evaluate'>;
  state: CampaignState;
  /** How many cohorts have scored trials (a reason names the fingerprint when there are several). */
  cohorts: number;
  /** The trial's last output line (a crash reason quotes it). */
  lastLine: string;
  /** Frozen files changed since the campaign started (relative paths). */
  frozenChanged: () => string[] | Promise<string[]>;
  /** Runs the evaluator where the trial's outputs are (called only when config.evaluate is set). */
  evaluate: () => Promise<EvaluateResult>;
}

/**
 * What the decision says about the evaluator beyond the score: the trial's own claim of the scored
 * metric when it differs from the evaluator's (printed, ignored: a trial that prints the evaluator's
 * line gains nothing and is seen doing it), and an altered clean copy that was rebuilt.
 */
function evaluatorNotes(claimed: number | undefined, scored: number | undefined, name: string, result: EvaluateResult | undefined): string[] {
  const notes: string[] = [];
  if (claimed !== undefined && scored !== undefined && !(Math.abs(claimed - scored) <= 1e-3 * Math.max(1, Math.abs(scored)))) {
    notes.push(`the trial printed ${name}=${formatPlain(claimed)}; the evaluator's ${formatPlain(scored)} counts`);
  }
  if (result?.note) notes.push(result.note);
  return notes;
}

export async function judge(trial: TrialState, exit: ExitInfo, cancel: CancelIntent | null, inputs: JudgeInputs): Promise<JudgeVerdict> {
  const { config } = inputs;
  const printed = { ...trial.last };
  const none = { score: null, best: false, metrics: printed };
  if (cancel) return { ...cancelledFate(cancel), ...none };
  if (exit.lost) return { status: 'lost', reason: exit.lost, ...none };
  // The sandbox never started: the command did not run (and never runs bare).
  if (exit.sandboxError) {
    const why = exit.sandboxError;
    return { status: 'crash', reason: why.startsWith('sandbox') ? why : `sandbox could not start: ${why}`, ...none };
  }
  // A limit's word is the reason: "out of memory limit (16g)" says more than "exit code 137".
  if (exit.limit) return { status: 'crash', reason: exit.limit, ...none };
  if (exit.vanished) return { status: 'crash', reason: 'the process vanished without an exit status (killed while unsupervised?)', ...none };
  if (exit.code !== 0) return { status: 'crash', reason: crashReason(exit, inputs.lastLine), ...none };
  const changed = await inputs.frozenChanged();
  if (changed.length) {
    return {
      status: 'invalid',
      reason: `frozen file${changed.length > 1 ? 's' : ''} changed since the campaign started: ${changed.slice(0, 5).join(', ')}${changed.length > 5 ? ', …' : ''}`,
      ...none,
    };
  }
  let metrics = printed;
  let evaluated: EvaluateResult | undefined;
  const name = config.metric.name;
  if (config.evaluate) {
    const result = await inputs.evaluate();
    evaluated = result;
    if (!result.ok) return { status: result.invalid ? 'invalid' : 'crash', reason: result.error ?? 'the evaluator failed', ...none };
    // The evaluator's numbers win; the trial's own report of the scored metric is ignored.
    metrics = { ...printed };
    delete metrics[name];
    Object.assign(metrics, result.metrics);
    if (result.metrics[name] === undefined) return { status: 'crash', reason: `the evaluator printed no ${name}`, ...none, metrics };
  }
  // A diverged run (NaN or inf in any final metric) is a crash, never a score.
  const diverged = nonFiniteReading(metrics);
  if (diverged) return { status: 'crash', reason: diverged, ...none, metrics };
  const cohort = trial.fingerprint?.key ?? '';
  const v = decideTrial(inputs.state, config.decide, name, config.metric.goal, metrics, cohort, inputs.cohorts);
  return { ...v, reason: [v.reason, ...(config.evaluate ? evaluatorNotes(printed[name], metrics[name], name, evaluated) : [])].join('; '), metrics };
}
